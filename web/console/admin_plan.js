// Admins: the plan's targets, the holiday calendar that due dates skip,
// and the retention periods as this server applies them (read only: they
// are set when the service starts).
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, dmy, ymd, field, input, select, status, ask, all, unitOptions, problemText } from './ui.js';
import { terms } from './admin_terms.js';

// The metrics the service measures (TargetDto.metric), the plan's first.
const METRICS = ['consultations', 'lower_secondary_participants', 'ward_dialogue_coverage', 'school_dialogue_coverage',
  'school_consultation_coverage', 'council_meetings', 'forums', 'leaders_meet_pioneers', 'trainings_commanders',
  'pioneer_leaders_trained_coverage', 'neighbourhood_leaders_trained_coverage', 'policy_consultations', 'unique_participants'];
const value = (id) => document.getElementById(id).value.trim();
// "1.234,5" or "1234.5" → 1234.5 (the Vietnamese way first).
const number = (s) => {
  const v = s.trim();
  const n = Number(/,/.test(v) || /\.\d{3}$/.test(v) ? v.replace(/\./g, '').replace(',', '.') : v);
  return v && Number.isFinite(n) ? n : null;
};

export function targets(area) {
  const message = status('targets-message');
  const body = h('tbody', { id: 'targets-rows' });
  let units = [];
  let items = [];
  const unitName = (id) => { const u = units.find((x) => x.id === id); return u ? `${words(u.name)} (${u.code})` : id; };
  const metricName = (m) => t('metrics')[m] || m;
  // A target's own name comes from the API; the chooser of a new one names
  // every measure the API accepts.
  const targetName = (x) => (x.name ? words(x.name) : metricName(x.metric));
  const draw = () => body.replaceChildren(...items.map((x) => h('tr', { 'data-id': x.id, 'data-metric': x.metric },
    h('td', { class: 'num', text: x.plan_target ?? '—' }),
    h('td', {}, h('strong', { text: targetName(x) }), h('br'), h('span', { class: 'muted', text: words(x.counting_rule) })),
    h('td', { text: unitName(x.scope_unit_id) }),
    h('td', { text: x.period }),
    h('td', { class: 'num value', text: x.measures === 'percent_of_units' ? `${f.num(x.value)}%` : f.num(x.value) }),
    h('td', {}, h('button', { type: 'button', class: 'secondary', 'data-act': 'edit', 'aria-label': `${t('edit')}: ${targetName(x)} ${x.period}`, text: t('edit'), onclick: () => edit(x) })))));
  function edit(x) {
    ask(`${t('edit')}: ${targetName(x)}`, [
      field('target-edit-period', t('period'), input('target-edit-period', { value: x.period, size: 14 }), t('periodHint')),
      field('target-edit-value', t('targetValue'), input('target-edit-value', { value: f.num(x.value), size: 10, inputmode: 'decimal' })),
    ], async () => {
      const v = number(value('target-edit-value'));
      if (v === null) throw new Error(t('badNumber'));
      const changed = await api.patch(`/targets/${x.id}`, { metric: x.metric, scope_unit_id: x.scope_unit_id, period: value('target-edit-period'), value: v });
      items = items.map((y) => (y.id === changed.id ? changed : y));
      draw();
      message.done();
    });
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', id: 'new-target', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const v = number(value('target-value'));
    if (v === null) { error.textContent = t('badNumber'); return; }
    try {
      const x = await api.post('/targets', { metric: value('target-metric'), scope_unit_id: value('target-unit'), period: value('target-period'), value: v });
      items.push(x);
      draw();
      form.reset();
      message.done(t('targetAdded'));
    } catch (err) { error.textContent = problemText(err); }
  } });
  area.replaceChildren(h('h1', { text: t('admTargets') }), message,
    h('table', { id: 'targets' }, h('caption', { class: 'visually-hidden', text: t('admTargets') }),
      h('thead', {}, h('tr', {}, [[t('planTarget'), true], [t('metric')], [t('scopeUnit')], [t('period')], [t('targetValue'), true]].map(([x, num]) => h('th', { scope: 'col', class: num ? 'num' : null, text: x })),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: t('actions') })))), body),
    form);
  Promise.all([api.get('/targets'), all('/units')]).then(([list, us]) => {
    items = list;
    units = us;
    draw();
    form.replaceChildren(h('h2', { text: t('newTarget') }),
      h('div', { class: 'row' },
        field('target-metric', t('metric'), select('target-metric', METRICS.map((m) => [m, metricName(m)]), 'consultations')),
        field('target-unit', t('scopeUnit'), select('target-unit', unitOptions(units), units[0]?.id)),
        field('target-period', t('period'), input('target-period', { size: 14 }), t('periodHint')),
        field('target-value', t('targetValue'), input('target-value', { size: 10, inputmode: 'decimal' }))),
      error, h('button', { type: 'submit', id: 'add-target', text: t('addTarget') }));
  }).catch((e) => message.fail(e));
}

export function calendar(area, rest) {
  const message = status('calendar-message');
  const year = input('cal-year', { size: 6, inputmode: 'numeric', value: rest[0] || '' });
  const rows = h('tbody', { id: 'holidays-rows' });
  const error = h('p', { class: 'error', role: 'alert', id: 'calendar-error' });
  let shown = null;
  const line = (d = {}) => {
    const n = rows.children.length + 1;
    const tr = h('tr', { class: 'holiday' },
      h('td', {}, h('input', { type: 'text', class: 'h-date', size: 12, value: dmy(d.date), 'aria-label': `${t('day')} ${n}`, placeholder: 'dd/mm/yyyy' })),
      h('td', {}, h('input', { type: 'text', class: 'h-name', size: 40, value: d.name || '', 'aria-label': `${t('holidayName')} ${n}` })),
      h('td', {}, h('button', { type: 'button', class: 'secondary', text: t('remove'), 'aria-label': `${t('remove')} ${n}`, onclick: () => { tr.remove(); } })));
    rows.append(tr);
    return tr;
  };
  let asked = 0; // only the last year asked for is shown
  async function load(y) {
    error.textContent = '';
    const mine = ++asked;
    try {
      const list = (await api.get(`/calendar/holidays${api.qs({ year: y })}`)).holidays;
      if (mine !== asked) return;
      shown = y;
      rows.replaceChildren();
      list.forEach((d) => line(d));
      heading.textContent = t('holidaysOf', y);
      editor.hidden = false;
    } catch (e) { error.textContent = problemText(e); }
  }
  const heading = h('h2', { id: 'holidays-title' });
  const editor = h('form', { class: 'card', id: 'holidays-form', hidden: true, novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const days = [...rows.querySelectorAll('tr')].map((tr) => ({ raw: tr.querySelector('.h-date').value, date: ymd(tr.querySelector('.h-date').value), name: tr.querySelector('.h-name').value.trim() }));
    const bad = days.find((d) => !d.date);
    if (bad) { error.textContent = `${t('badDate')} (${bad.raw || '—'})`; return; }
    try {
      const r = await api.call('PUT', '/calendar/holidays', { year: shown, holidays: days.map(({ date, name }) => ({ date, name })) });
      rows.replaceChildren();
      r.holidays.forEach((d) => line(d));
      message.done(t('holidaysSaved', shown, r.holidays.length));
    } catch (err) { error.textContent = problemText(err); }
  } },
  heading, h('p', { class: 'muted', text: t('holidaysHelp') }),
  h('table', { id: 'holidays' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('day') }), h('th', { scope: 'col', text: t('holidayName') }), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: t('actions') })))), rows),
  h('p', { class: 'row' },
    h('button', { type: 'button', class: 'secondary', id: 'add-holiday', text: t('addHoliday'), onclick: () => line().querySelector('input').focus() }),
    h('button', { type: 'submit', id: 'save-holidays', text: t('saveHolidays') })));
  area.replaceChildren(h('h1', { text: t('admCalendar') }),
    h('form', { class: 'toolbar', id: 'cal-pick', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      const y = Number(year.value.trim());
      if (!Number.isInteger(y) || y < 2000 || y > 2100) { error.textContent = t('badYear'); return; }
      load(y);
    } }, field('cal-year', t('year'), year), h('button', { type: 'submit', id: 'show-year', text: t('showYear') })),
    message, error, editor, terms());
  // With no year asked for, the first year the calendar lists.
  if (year.value) load(Number(year.value));
  else {
    api.get('/calendar/holidays').then((r) => {
      const years = [...new Set(r.holidays.map((d) => Number(d.date.slice(0, 4))))];
      if (years.length && !asked) { year.value = String(years[0]); load(years[0]); }
    }).catch((e) => message.fail(e));
  }
}

export async function retention(area) {
  area.replaceChildren(h('h1', { text: t('admRetention') }), h('p', { class: 'muted', text: '…' }));
  let r;
  try { r = await api.get('/settings/retention'); } catch (e) { area.replaceChildren(h('h1', { text: t('admRetention') }), h('p', { class: 'error', text: problemText(e) })); return; }
  const row = (label, days, env) => [h('dt', { text: label }), h('dd', {}, h('strong', { text: t('daysN', f.num(days)) }), env ? h('span', { class: 'muted' }, ' · ', h('code', { text: env })) : h('span', { class: 'muted', text: ` · ${t('fixed')}` }))];
  area.replaceChildren(h('h1', { text: t('admRetention') }),
    h('p', { text: t('retentionIntro') }),
    h('dl', { class: 'facts card', id: 'retention' },
      row(t('retText'), r.text_days, 'LANGNGHE_RETAIN_TEXT_DAYS'),
      row(t('retResponses'), r.responses_days, 'LANGNGHE_RETAIN_RESPONSES_DAYS'),
      row(t('retCases'), r.closed_cases_days, 'LANGNGHE_RETAIN_CLOSED_CASES_DAYS'),
      row(t('retWebhooks'), r.delivered_webhook_events_days),
      row(t('retHashes'), r.request_hashes_days)),
    h('p', { class: 'muted', text: t('retentionHow') }),
    h('p', {}, h('a', { href: '#/admin/audit/retention', id: 'purge-log', text: t('purgeLog') })));
}
