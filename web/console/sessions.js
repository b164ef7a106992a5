// Facilitators (and admins): open a session of a published survey, project
// its join code and QR code with live counts, close it.
import * as api from './api.js';
import { h, say, user, problem } from './console.js';
import { t, current } from './i18n.js';
import * as f from './format.js';

const POLL_MS = 3000;
const name = (text) => (text ? text[current()] || text.vi : '');

export function show(main, rest) {
  if (rest[0] && rest[1]) return projection(main, rest[0], rest[1]);
  list(main, rest[0]);
  return null;
}

async function list(main, surveyId) {
  main.replaceChildren(h('h1', { text: t('sessionsTitle') }), h('p', { class: 'muted', text: '…' }));
  let surveys;
  let units = [];
  try {
    surveys = (await api.get('/surveys?status=published&limit=100')).items;
    if (!user().unit_id) units = (await api.get('/units?limit=100')).items;
  } catch (e) {
    main.replaceChildren(h('h1', { text: t('sessionsTitle') }), h('p', { class: 'error', text: problem(e) }));
    return;
  }
  if (!surveys.length) {
    main.replaceChildren(h('h1', { text: t('sessionsTitle') }), h('p', { class: 'notice', text: t('noSurvey') }));
    return;
  }
  const chosen = surveys.find((s) => s.id === surveyId) || surveys[0];
  const today = f.date(new Date().toISOString());
  const select = h('select', { id: 'survey', onchange: (e) => { location.hash = `#/sessions/${e.target.value}`; } },
    surveys.map((s) => h('option', { value: s.id, selected: s.id === chosen.id, text: s.title_vi })));
  const unitField = user().unit_id ? null : h('div', { class: 'field' },
    h('label', { for: 'unit', text: 'Đơn vị / Unit' }),
    h('select', { id: 'unit' }, units.map((u) => h('option', { value: u.id, text: `${name(u.name)} (${u.code})` }))));
  const message = h('p', { id: 'problem', class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', id: 'open-form', novalidate: true, onsubmit: (e) => open(e, chosen.id, message) },
    h('h2', { text: t('openTitle') }),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'survey', text: t('survey') }), select),
      unitField,
      h('div', { class: 'field' }, h('label', { for: 'day', text: t('day') }), h('input', { id: 'day', type: 'text', value: today, size: 11, inputmode: 'numeric' })),
      h('div', { class: 'field' }, h('label', { for: 'from', text: t('from') }), h('input', { id: 'from', type: 'text', value: f.time(new Date().toISOString()), size: 6 })),
      h('div', { class: 'field' }, h('label', { for: 'until', text: t('until') }), h('input', { id: 'until', type: 'text', value: f.time(new Date(Date.now() + 45 * 60000).toISOString()), size: 6 })),
      h('div', { class: 'field' }, h('label', { for: 'expected', text: t('expected') }), h('input', { id: 'expected', type: 'number', min: 1, max: 100000, size: 5 }))),
    message,
    h('button', { type: 'submit', id: 'open', text: t('open') }));
  const table = h('div', { id: 'sessions' }, h('p', { class: 'muted', text: '…' }));
  main.replaceChildren(h('h1', { text: t('sessionsTitle') }), form, h('h2', { text: t('sessionsOf') }), table);
  fillSessions(table, chosen.id);
}

async function fillSessions(table, surveyId) {
  let rows;
  try {
    rows = (await api.get(`/surveys/${surveyId}/sessions?limit=100`)).items;
  } catch (e) {
    table.replaceChildren(h('p', { class: 'error', text: problem(e) }));
    return;
  }
  if (!rows.length) { table.replaceChildren(h('p', { text: t('none') })); return; }
  table.replaceChildren(h('table', {},
    h('thead', {}, h('tr', {}, ['code', 'when', 'state', 'joined'].map((k) => h('th', { scope: 'col', class: k === 'joined' ? 'num' : null, text: t(k) })), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: t('project') })))),
    h('tbody', {}, rows.slice().reverse().map((s) => h('tr', {},
      h('td', {}, h('code', { text: f.grouped(s.join_code) })),
      h('td', { text: `${f.date(s.opens_at)} ${f.time(s.opens_at)}–${f.time(s.closed_at || s.closes_at)}` }),
      h('td', {}, h('span', { class: `pill ${s.state}`, text: t('states')[s.state] })),
      h('td', { class: 'num', text: f.num(s.joined) }),
      h('td', {}, s.state === 'closed' ? null : h('a', { class: 'button secondary', href: `#/sessions/${surveyId}/${s.id}`, text: t('project') })))))));
}

async function open(ev, surveyId, message) {
  ev.preventDefault();
  message.textContent = '';
  const day = document.getElementById('day').value;
  const opens = f.instant(day, document.getElementById('from').value);
  const closes = f.instant(day, document.getElementById('until').value);
  if (!opens || !closes) { message.textContent = t('badTime'); return; }
  const expected = document.getElementById('expected').value;
  const unit = user().unit_id || document.getElementById('unit').value;
  try {
    const s = await api.post(`/surveys/${surveyId}/sessions`, {
      unit_id: unit, opens_at: opens, closes_at: closes,
      expected_participants: expected ? Number(expected) : null,
    });
    location.hash = `#/sessions/${surveyId}/${s.id}`;
  } catch (e) {
    message.textContent = problem(e);
  }
}

// The screen to project in class: the code huge, the QR code beside it,
// and counts that refresh by themselves. Counts only, never content.
function projection(main, surveyId, sessionId) {
  let timer = null;
  let qr = null;
  let gone = false;
  const joined = h('strong', { id: 'joined', text: '0' });
  const answers = h('strong', { id: 'answers', text: '0' });
  const state = h('p', { id: 'state', class: 'muted' });
  const closeBtn = h('button', { type: 'button', id: 'close', class: 'danger', text: t('closeSession'), onclick: close });
  main.replaceChildren(h('p', {}, h('a', { href: `#/sessions/${surveyId}`, text: `← ${t('back')}` })), h('p', { class: 'muted', text: '…' }));

  async function load() {
    const sessions = (await api.get(`/surveys/${surveyId}/sessions?limit=100`)).items;
    const s = sessions.find((x) => x.id === sessionId);
    if (!s) throw new api.ApiError(404, { detail: t('notAllowed') });
    const img = h('img', { id: 'qr', alt: t('qrAlt', f.grouped(s.join_code)) });
    const address = `${location.origin}/app/`;
    main.replaceChildren(
      h('p', {}, h('a', { href: `#/sessions/${surveyId}`, text: `← ${t('back')}` })),
      h('h1', { class: 'visually-hidden', text: t('joinCode') }),
      h('section', { class: 'projection', 'aria-label': t('joinCode') },
        h('div', {},
          h('p', { class: 'where' }, `${t('joinAt')} `, h('strong', { text: address.replace(/^https?:\/\//, '') }), ` ${t('orScan')}`),
          h('p', { class: 'code', id: 'code', text: f.grouped(s.join_code) }),
          h('div', { class: 'live', 'aria-live': 'polite' },
            h('div', {}, joined, t('childrenJoined')),
            h('div', {}, answers, t('answersReceived'))),
          state),
        img),
      h('p', { class: 'muted', text: t('countsOnly') }),
      closeBtn);
    qr = await api.image(`/sessions/${sessionId}/qr.svg`);
    if (!gone) img.src = qr;
  }

  async function poll() {
    try {
      const a = await api.get(`/sessions/${sessionId}/activity`);
      joined.textContent = f.num(a.joined);
      answers.textContent = f.num(a.answers);
      state.textContent = `${t('states')[a.state]} · ${t('closesAt', `${f.date(a.closes_at)} ${f.time(a.closes_at)}`)}`;
      if (a.state === 'closed') { closeBtn.hidden = true; return; }
    } catch (e) {
      state.textContent = problem(e);
    }
    if (!gone && api.signedIn()) timer = setTimeout(poll, POLL_MS);
  }

  // Closing asks once more, in the page (no browser pop-up).
  function close() {
    const box = h('div', { class: 'notice bad', id: 'confirm-box', role: 'group', 'aria-label': t('closeSession') },
      h('p', { text: t('confirmClose') }),
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'confirm-close', class: 'danger', text: t('confirm'), onclick: () => { box.remove(); reallyClose(); } }),
        h('button', { type: 'button', class: 'secondary', text: t('cancel'), onclick: () => { box.remove(); closeBtn.hidden = false; closeBtn.focus(); } })));
    closeBtn.hidden = true;
    closeBtn.after(box);
    box.querySelector('#confirm-close').focus();
  }

  async function reallyClose() {
    try {
      await api.post(`/sessions/${sessionId}/close`);
      clearTimeout(timer);
      closeBtn.hidden = true;
      state.textContent = t('closed');
      say(t('closed'));
      poll();
    } catch (e) {
      state.textContent = problem(e);
    }
  }

  load().then(poll).catch((e) => {
    main.replaceChildren(h('p', { class: 'error', text: problem(e) }));
  });
  return () => {
    gone = true;
    clearTimeout(timer);
    if (qr) URL.revokeObjectURL(qr);
  };
}
