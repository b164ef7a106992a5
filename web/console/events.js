// Facilitators (and moderators, admins): events held offline — a forum,
// a dialogue, a Council meeting, a training — recorded with their
// attendance and the issues children raised there, which enter the
// Council's queue. The list pages on the server; an event's own page
// (event_detail.js) corrects it and takes the children of units below.
import * as api from './api.js';
import { h, user } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, dmy, ymd, field, input, select, status, pagedTable, all, unitOptions } from './ui.js';
import { detail } from './event_detail.js';

const KINDS = ['forum', 'dialogue', 'council_meeting', 'leaders_meet_pioneers', 'training', 'action_month', 'care_centre_listening',
  'peoples_council_session', 'policy_consultation', 'rights_communication', 'parents_session'];
const AUDIENCES = ['pioneer_leaders', 'neighbourhood_leaders', 'commanders', 'council_delegates', 'parents'];

export function show(main, rest) {
  if (rest[0]) { detail(main, rest[0]); return null; }
  const message = status('events-message');
  let units = [];
  const unitName = (id) => { const u = units.find((x) => x.id === id); return u ? `${words(u.name)} (${u.code})` : ''; };
  const table = pagedTable({
    id: 'events',
    caption: t('eventsTitle'),
    columns: [{ label: t('heldOn') }, { label: t('title') }, { label: t('kind') }, { label: t('recUnit') }, { label: t('childrenN'), num: true }, { label: t('issuesRaised'), num: true }],
    fetch: (cursor) => api.get(`/events${api.qs({ limit: 25, cursor })}`),
    row: (e) => h('tr', { 'data-id': e.id },
      h('td', { text: dmy(e.held_on) }),
      h('td', {}, h('a', { href: `#/events/${e.id}`, text: e.title })),
      h('td', { text: t('eventKinds')[e.kind] || e.kind }),
      h('td', { text: unitName(e.unit_id) }),
      h('td', { class: 'num', text: f.num(e.children_attending) }),
      h('td', { class: 'num', text: f.num(e.issues.length) })),
  });
  const issuesBox = h('ol', { id: 'raised', class: 'raised' });
  const attendanceBox = h('div', { id: 'attendance' });
  const issueRow = () => {
    const n = issuesBox.children.length + 1;
    const li = h('li', { class: 'raised-issue card' },
      field(`raised-title-${n}`, t('issueTitle'), input(`raised-title-${n}`, { class: 'r-title', size: 60, maxlength: 200 })),
      field(`raised-body-${n}`, t('issueText'), h('textarea', { id: `raised-body-${n}`, class: 'r-body', rows: 2 })),
      h('button', { type: 'button', class: 'secondary', text: t('remove'), 'aria-label': `${t('remove')} ${n}`, onclick: () => li.remove() }));
    issuesBox.append(li);
    li.querySelector('input').focus();
  };
  const attendanceRow = () => {
    const n = attendanceBox.children.length + 1;
    const row = h('div', { class: 'row attendance-row' },
      field(`att-unit-${n}`, t('fromUnit'), select(`att-unit-${n}`, unitOptions(units), units[0]?.id, { class: 'a-unit' })),
      field(`att-role-${n}`, t('attRole'), select(`att-role-${n}`, AUDIENCES.map((a) => [a, t('audiences')[a]]), 'pioneer_leaders', { class: 'a-role' })),
      field(`att-people-${n}`, t('people'), input(`att-people-${n}`, { class: 'a-people', size: 5, inputmode: 'numeric' })),
      h('button', { type: 'button', class: 'secondary', text: t('remove'), 'aria-label': `${t('remove')} ${n}`, onclick: () => row.remove() }));
    attendanceBox.append(row);
  };
  const kind = select('ev-kind', KINDS.map((k) => [k, t('eventKinds')[k]]), 'forum');
  const trainingPart = h('fieldset', { hidden: true, id: 'training-part' }, h('legend', { text: t('attendanceTitle') }),
    field('ev-audience', t('audience'), select('ev-audience', AUDIENCES.map((a) => [a, t('audiences')[a]]), 'pioneer_leaders')),
    attendanceBox,
    h('button', { type: 'button', class: 'secondary', id: 'add-attendance', text: t('addAttendance'), onclick: attendanceRow }));
  kind.addEventListener('change', () => { trainingPart.hidden = kind.value !== 'training'; });
  const unitPick = select('ev-unit', [], '');
  const error = h('p', { class: 'error', role: 'alert', id: 'event-error' });
  const count = (id) => {
    const v = document.getElementById(id).value.trim().replace(/\./g, '');
    return /^\d+$/.test(v) ? Number(v) : NaN;
  };
  const form = h('form', { class: 'card', id: 'event-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const day = ymd(document.getElementById('ev-day').value);
    if (!day) { error.textContent = t('badDate'); return; }
    const children = count('ev-children');
    const adults = count('ev-adults');
    if (Number.isNaN(children) || Number.isNaN(adults)) { error.textContent = t('badCount'); return; }
    const raised = [...issuesBox.querySelectorAll('li')].map((li) => ({ title: li.querySelector('.r-title').value.trim(), body: li.querySelector('.r-body').value.trim() }))
      .filter((x) => x.title || x.body);
    const body = {
      kind: kind.value, unit_id: unitPick.value, held_on: day, title: document.getElementById('ev-title').value.trim(),
      children_attending: children, adults_attending: adults, notes: document.getElementById('ev-notes').value.trim() || null, issues: raised,
    };
    if (kind.value === 'training') {
      body.audience = document.getElementById('ev-audience').value;
      body.attendance = [...attendanceBox.querySelectorAll('.attendance-row')].map((r) => ({
        unit_id: r.querySelector('.a-unit').value, role: r.querySelector('.a-role').value, people: Number(r.querySelector('.a-people').value.trim()),
      }));
    }
    try {
      const created = await api.post('/events', body);
      table.put(created);
      form.reset();
      issuesBox.replaceChildren();
      attendanceBox.replaceChildren();
      trainingPart.hidden = true;
      message.done(t('eventRecorded', created.title, created.issues.length));
    } catch (err) {
      const errors = err?.problem?.errors;
      error.textContent = Array.isArray(errors) && errors.length ? errors.map((x) => x.message).join(' · ') : err.message;
    }
  } },
  h('h2', { text: t('recordEvent') }),
  h('div', { class: 'row' },
    field('ev-kind', t('kind'), kind),
    field('ev-unit', t('heldAt'), unitPick),
    field('ev-day', t('heldOn'), input('ev-day', { size: 12, placeholder: 'dd/mm/yyyy' }), t('notFuture'))),
  field('ev-title', t('title'), input('ev-title', { size: 60 })),
  h('div', { class: 'row' },
    field('ev-children', t('childrenAttending'), input('ev-children', { size: 6, inputmode: 'numeric' })),
    field('ev-adults', t('adultsAttending'), input('ev-adults', { size: 6, inputmode: 'numeric' }))),
  trainingPart,
  h('fieldset', {}, h('legend', { text: t('issuesRaised') }),
    h('p', { class: 'muted', text: t('raisedHelp') }),
    issuesBox,
    h('button', { type: 'button', class: 'secondary', id: 'add-raised', text: t('addRaised'), onclick: issueRow })),
  field('ev-notes', t('note'), h('textarea', { id: 'ev-notes', rows: 2 })),
  error,
  h('button', { type: 'submit', id: 'record-event', text: t('recordEvent') }));
  main.replaceChildren(h('h1', { text: t('eventsTitle') }), message, form, h('h2', { text: t('eventsList') }), table.el);
  table.reload();
  // A facilitator records for their unit and the units below it.
  all('/units').then((us) => {
    units = us;
    const mine = user().unit_id;
    const inScope = (u) => {
      if (!mine) return true;
      for (let x = u; x; x = units.find((y) => y.id === x.parent_id)) if (x.id === mine) return true;
      return false;
    };
    const opts = unitOptions(units).filter(([id]) => inScope(units.find((u) => u.id === id)));
    unitPick.replaceChildren(...opts.map(([value, text]) => h('option', { value, selected: value === mine, text })));
    table.redraw();
  }).catch((e) => message.fail(e));
  return null;
}
