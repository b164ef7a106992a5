// One event held offline: what was recorded, a correction of it (the API
// checks it as it checks a new one, and refuses, e.g., fewer children
// than units below have entered), and, for a consultation held above
// school or ward level (a district forum), how many children of each unit
// below it attended: they count for that unit. A facilitator enters their
// own units'; what they may do, the API decides and says.
import * as api from './api.js';
import { h, user } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, dmy, ymd, field, input, select, status, all, unitOptions, inScope, problemText } from './ui.js';
import './extra_words.js';

const LEVELS = ['primary', 'lower_secondary', 'upper_secondary'];

// "1.234" → 1234; anything else → NaN.
const count = (text) => {
  const v = String(text ?? '').trim().replace(/\./g, '');
  return /^\d+$/.test(v) ? Number(v) : NaN;
};

export async function detail(main, id) {
  let e;
  let units = [];
  try {
    e = await api.get(`/events/${id}`);
    units = await all(`/units${api.qs({ at: e.held_on })}`);
  } catch (err) { main.replaceChildren(h('p', { class: 'error', text: problemText(err) })); return; }
  const message = status('event-message');
  const name = (uid) => { const u = units.find((x) => x.id === uid); return u ? `${words(u.name)} (${u.code})` : uid; };
  const facts = h('dl', { class: 'facts card', id: 'event-facts' });
  const byUnit = h('tbody', { id: 'by-unit-rows' });
  const heading = h('h1', { id: 'event-title' });

  function draw() {
    heading.textContent = e.title;
    facts.replaceChildren(...[
      h('dt', { text: t('kind') }), h('dd', { text: t('eventKinds')[e.kind] || e.kind }),
      h('dt', { text: t('heldAt') }), h('dd', { text: name(e.unit_id) }),
      h('dt', { text: t('heldOn') }), h('dd', { id: 'event-day', text: dmy(e.held_on) }),
      h('dt', { text: t('childrenAttending') }), h('dd', { id: 'event-children', text: f.num(e.children_attending) }),
      h('dt', { text: t('adultsAttending') }), h('dd', { id: 'event-adults', text: f.num(e.adults_attending) }),
      e.attendance.length ? [h('dt', { text: t('attendanceTitle') }), h('dd', { text: e.attendance.map((a) => `${t('audiences')[a.role]}: ${f.num(a.people)}`).join(' · ') })] : [],
      e.notes ? [h('dt', { text: t('note') }), h('dd', { text: e.notes })] : []].flat());
    byUnit.replaceChildren(...(e.children_by_unit.length ? e.children_by_unit.map((l) => h('tr', { 'data-unit': l.unit_id },
      h('td', { text: name(l.unit_id) }),
      h('td', { class: 'num', text: f.num(l.children_attending) }),
      h('td', { text: l.children_by_school_level ? Object.entries(l.children_by_school_level).map(([k, n]) => `${t('levels')[k] || k}: ${f.num(n)}`).join(' · ') : '—' }),
      h('td', { text: f.dateTime(l.updated_at) })))
      : [h('tr', {}, h('td', { colspan: 4, text: t('none') }))]));
  }

  // A correction: the fields as they are, changed in place.
  const fixError = h('p', { class: 'error', role: 'alert', id: 'fix-error' });
  const fixForm = h('form', { class: 'card', id: 'fix-event', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    fixError.textContent = '';
    const day = ymd(document.getElementById('fix-day').value);
    if (!day) { fixError.textContent = t('badDate'); return; }
    const children = count(document.getElementById('fix-children').value);
    const adults = count(document.getElementById('fix-adults').value);
    if (Number.isNaN(children) || Number.isNaN(adults)) { fixError.textContent = t('badCount'); return; }
    try {
      e = await api.patch(`/events/${e.id}`, {
        title: document.getElementById('fix-title').value.trim(), held_on: day,
        children_attending: children, adults_attending: adults, notes: document.getElementById('fix-notes').value.trim() || null,
      });
      draw();
      message.done(t('eventFixed'));
    } catch (err) { fixError.textContent = problemText(err); }
  } },
  h('h2', { text: t('fixEvent') }),
  h('p', { class: 'muted', text: t('fixHelp') }),
  field('fix-title', t('title'), input('fix-title', { size: 60, value: e.title })),
  h('div', { class: 'row' },
    field('fix-day', t('heldOn'), input('fix-day', { size: 12, value: dmy(e.held_on), placeholder: 'dd/mm/yyyy' }), t('notFuture')),
    field('fix-children', t('childrenAttending'), input('fix-children', { size: 6, inputmode: 'numeric', value: String(e.children_attending) })),
    field('fix-adults', t('adultsAttending'), input('fix-adults', { size: 6, inputmode: 'numeric', value: String(e.adults_attending) }))),
  field('fix-notes', t('note'), h('textarea', { id: 'fix-notes', rows: 2 }, e.notes || '')),
  fixError, h('button', { type: 'submit', id: 'save-fix', text: t('saveChanges') }));

  // Children of the units below the one that held it, on that day, among
  // those the person's scope covers.
  const below = (() => {
    const under = new Set([e.unit_id]);
    for (let grew = true; grew;) {
      grew = false;
      for (const u of units) if (!under.has(u.id) && under.has(u.parent_id)) { under.add(u.id); grew = true; }
    }
    const mine = new Set(inScope(units, user()).map((u) => u.id));
    return units.filter((u) => u.id !== e.unit_id && under.has(u.id) && mine.has(u.id));
  })();
  const childError = h('p', { class: 'error', role: 'alert', id: 'children-error' });
  const childUnit = select('children-unit', unitOptions(below).map(([v, text]) => [v, text.trim()]), below[0]?.id);
  const childForm = h('form', { class: 'card', id: 'children-form', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    childError.textContent = '';
    const n = count(document.getElementById('children-count').value);
    if (Number.isNaN(n)) { childError.textContent = t('badCount'); return; }
    const levels = {};
    for (const l of LEVELS) {
      const raw = document.getElementById(`children-${l}`).value;
      if (!raw.trim()) continue;
      const v = count(raw);
      if (Number.isNaN(v)) { childError.textContent = t('badCount'); return; }
      levels[l] = v;
    }
    try {
      e = await api.call('PUT', `/events/${e.id}/children/${childUnit.value}`,
        { children_attending: n, children_by_school_level: Object.keys(levels).length ? levels : null });
      draw();
      message.done(t('childrenSaved', name(childUnit.value)));
    } catch (err) { childError.textContent = problemText(err); }
  } },
  h('h3', { text: t('enterChildren') }),
  h('div', { class: 'row' },
    field('children-unit', t('unitBelow'), childUnit),
    field('children-count', t('childrenAttending'), input('children-count', { size: 6, inputmode: 'numeric' }))),
  h('fieldset', {}, h('legend', { text: t('byLevel') }),
    h('div', { class: 'row' }, LEVELS.map((l) => field(`children-${l}`, t('levels')[l], input(`children-${l}`, { size: 6, inputmode: 'numeric' }))))),
  childError, h('button', { type: 'submit', id: 'save-children', text: t('save') }));

  // Whom the API lets correct it: a facilitator within their units, a
  // moderator the Council's meetings, an admin any event.
  const me = user();
  const mayFix = me.role === 'admin' || (me.role === 'moderator' && e.kind === 'council_meeting')
    || (me.role === 'facilitator' && inScope(units, me).some((u) => u.id === e.unit_id));

  draw();
  main.replaceChildren(...[
    h('p', {}, h('a', { href: '#/events', text: `← ${t('eventsTitle')}` })),
    heading, message, facts,
    h('h2', { text: t('issuesRaised') }),
    e.issues.length ? h('ul', { id: 'event-issues' }, e.issues.map((x) => h('li', { text: `${x.title} (${x.status === 'withheld' ? t('withheld') : t('statuses')[x.status] || x.status})` }))) : h('p', { text: t('none') }),
    e.counts_as_consultation ? h('section', { class: 'card', id: 'by-unit', 'aria-labelledby': 'by-unit-title' },
      h('h2', { id: 'by-unit-title', text: t('byUnitTitle') }),
      h('p', { class: 'muted', text: t('byUnitHelp') }),
      h('table', { id: 'by-unit-table' }, h('caption', { class: 'visually-hidden', text: t('byUnitTitle') }),
        h('thead', {}, h('tr', {}, [[t('unitBelow')], [t('childrenN'), true], [t('byLevel')], [t('updatedAt')]].map(([x, num]) => h('th', { scope: 'col', class: num ? 'num' : null, text: x })))),
        byUnit),
      below.length ? childForm : h('p', { class: 'muted', id: 'no-units-below', text: t('noUnitsBelow') })) : null,
    mayFix ? fixForm : null].filter(Boolean));
}
