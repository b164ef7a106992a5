// Safeguarding officers only: the restricted queue. The list holds no
// text; reading a case's text is one deliberate click, and the API records
// every reading in the audit log.
import * as api from './api.js';
import { h, say, user, problem } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';

let listed = []; // the cases last listed, to show a case's facts before its text is read

export function show(main, rest) {
  if (rest[0]) openCase(main, rest[0]);
  else list(main);
  return null;
}

const pill = (cls, text) => h('span', { class: `pill ${cls}`, text });

async function list(main) {
  const possibleOnly = h('input', { type: 'checkbox', id: 'possible-only', onchange: fill });
  const status = h('select', { id: 'case-status', onchange: fill }, h('option', { value: '', text: '—' }),
    Object.entries(t('caseStatuses')).map(([k, v]) => h('option', { value: k, text: v })));
  const counts = h('p', { class: 'counts', id: 'case-counts' });
  const table = h('div', { id: 'cases' });
  main.replaceChildren(h('h1', { text: t('casesTitle') }), counts,
    h('div', { class: 'toolbar' },
      h('div', {}, h('label', { for: 'case-status', text: t('status') }), status),
      h('div', { class: 'row' }, possibleOnly, h('label', { for: 'possible-only', text: t('filterPossible') }))),
    table);
  api.get('/safeguarding/queue').then((q) => counts.replaceChildren(
    pill('', `${t('caseStatuses').new}: ${f.num(q.new)}`), pill('urgent', `${t('severities').urgent}: ${f.num(q.urgent)}`),
    pill('', `${t('possible')}: ${f.num(q.to_review)}`))).catch(() => {});

  async function fill() {
    try {
      const q = api.qs({ status: status.value, outcome: possibleOnly.checked ? 'possible' : null, limit: 100 });
      listed = (await api.get(`/safeguarding/cases${q}`)).items;
    } catch (e) { table.replaceChildren(h('p', { class: 'error', text: problem(e) })); return; }
    if (!listed.length) { table.replaceChildren(h('p', { text: t('noCases') })); return; }
    table.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, [t('received'), t('severity'), t('status'), t('assignee'), 'Nguồn / Source'].map((x) => h('th', { scope: 'col', text: x })),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: t('openCase') })))),
      h('tbody', {}, listed.map((c) => h('tr', { 'data-id': c.id },
        h('td', { text: f.dateTime(c.received_at) }),
        h('td', {}, pill(c.severity, t('severities')[c.severity])),
        h('td', {}, t('caseStatuses')[c.status], c.outcome === 'possible' && !c.released_at ? h('span', {}, ' ', pill('', t('possible'))) : null),
        h('td', { text: c.assignee_id ? (c.assignee_id === user().id ? user().username : '✓') : t('unassigned') }),
        h('td', { text: t('sources')[c.source] || c.source }),
        h('td', {}, h('a', { class: 'button secondary', href: `#/cases/${c.id}`, text: t('openCase') })))))));
  }
  fill();
}

function facts(c) {
  const who = c.assignee_id ? (c.assignee_id === user().id ? user().username : '✓') : t('unassigned');
  return h('dl', { class: 'facts' },
    h('dt', { text: t('assignee') }), h('dd', { id: 'assigned', text: who }),
    h('dt', { text: t('received') }), h('dd', { text: f.dateTime(c.received_at) }),
    h('dt', { text: t('severity') }), h('dd', {}, pill(c.severity, t('severities')[c.severity])),
    h('dt', { text: t('status') }), h('dd', { id: 'case-state', text: t('caseStatuses')[c.status] }),
    h('dt', { text: 'Nguồn / Source' }), h('dd', { text: `${t('sources')[c.source] || c.source}${c.outcome ? ` · ${t('outcomes')[c.outcome]}` : ''}` }),
    h('dt', { text: 'Loại / Categories' }), h('dd', { text: c.categories.join(', ') || '—' }));
}

function openCase(main, id) {
  const known = listed.find((c) => c.id === id);
  const back = h('p', {}, h('a', { href: '#/cases', text: `← ${t('back')}` }));
  const area = h('div', { id: 'case-text' },
    h('p', { class: 'notice', text: t('readWarn') }),
    h('button', { type: 'button', id: 'read', text: t('readText'), onclick: read }));
  main.replaceChildren(back, h('h1', { text: known ? t('caseOf', f.date(known.received_at)) : t('casesTitle') }),
    ...(known ? [h('div', { class: 'card' }, facts(known))] : []), area);

  async function read() {
    let c;
    try { c = await api.get(`/safeguarding/cases/${id}`); } catch (e) { area.replaceChildren(h('p', { class: 'error', text: problem(e) })); return; }
    render(c);
  }

  function render(c) {
    const message = h('p', { id: 'case-message', role: 'status' });
    const severity = h('select', { id: 'severity' }, Object.entries(t('severities')).map(([k, v]) => h('option', { value: k, selected: k === c.severity, text: v })));
    const note = h('textarea', { id: 'note', maxlength: 5000 });
    const change = async (body, path = `/safeguarding/cases/${id}`, method = 'PATCH') => {
      try {
        const next = await api.call(method, path, body);
        render(next);
        say(t('done'));
        document.getElementById('case-message').textContent = t('done');
      } catch (e) { message.textContent = problem(e); }
    };
    main.replaceChildren(back, h('h1', { text: t('caseOf', f.date(c.received_at)) }),
      h('div', { class: 'side' },
        h('div', { class: 'card' }, facts(c)),
        h('div', { class: 'card' },
          h('h2', { text: t('textTitle') }),
          h('p', { class: 'text', id: 'text', text: c.text }),
          c.matched.length ? h('p', { class: 'muted', text: `→ ${c.matched.join(', ')}` }) : null)),
      h('div', { class: 'card' },
        message,
        h('div', { class: 'row' },
          c.assignee_id === user().id ? null : h('button', { type: 'button', id: 'assign', text: t('assignMe'), onclick: () => change({ assignee_id: user().id, status: c.status === 'new' ? 'assessing' : null }) }),
          h('div', {}, h('label', { for: 'severity', text: t('severity') }), severity),
          h('button', { type: 'button', class: 'secondary', id: 'save-severity', text: t('save'), onclick: () => change({ severity: severity.value }) }),
          c.outcome === 'possible' && !c.released_at && c.status !== 'closed'
            ? h('button', { type: 'button', class: 'secondary', id: 'release', text: t('release'), onclick: () => change({}, `/safeguarding/cases/${id}/release`, 'POST') }) : null,
          c.status === 'closed' ? null : h('button', { type: 'button', class: 'danger', id: 'close-case', text: t('closeCase'), onclick: () => change({ status: 'closed' }) })),
        h('h2', { text: t('notes') }),
        h('ul', { id: 'notes' }, c.notes.map((n) => h('li', {}, h('strong', { text: n.author }), ` · ${f.dateTime(n.created_at)}: `, n.body))),
        h('label', { for: 'note', text: t('note') }), note,
        h('p', {}, h('button', { type: 'button', id: 'add-note', text: t('addNote'), onclick: () => { if (note.value.trim()) change({ note: note.value.trim() }); } }))));
  }
}
