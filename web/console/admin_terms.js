// Admins: the school calendar — each school year's two terms with their
// dates, as the city announces them. Reports, progress and targets named
// by a term (2026-2027-HK1) follow these dates. A year is added or its
// dates replaced whole; the API refuses dates out of order or outside the
// school year, and its refusal is shown.
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import { dmy, ymd, field, input, status, problemText } from './ui.js';
import './extra_words.js';

const DAYS = [['hk1-first', 'hk1', 'first_day'], ['hk1-last', 'hk1', 'last_day'], ['hk2-first', 'hk2', 'first_day'], ['hk2-last', 'hk2', 'last_day']];

export function terms() {
  const message = status('terms-message');
  const error = h('p', { class: 'error', role: 'alert', id: 'terms-error' });
  const rows = h('tbody', { id: 'terms-rows' });
  const year = input('terms-year', { size: 10, placeholder: '2027-2028' });
  const days = Object.fromEntries(DAYS.map(([id]) => [id, input(`terms-${id}`, { size: 12, placeholder: 'dd/mm/yyyy', inputmode: 'numeric' })]));
  const span = (term) => (term ? `${dmy(term.first_day)} – ${dmy(term.last_day)}` : '—');

  function edit(y, list) {
    year.value = y;
    for (const [id, term, end] of DAYS) days[id].value = dmy(list.find((x) => x.term === term.toUpperCase())?.[end]);
    year.focus();
  }

  function draw(list) {
    const years = [...new Set(list.map((x) => x.school_year))];
    rows.replaceChildren(...(years.length ? years.map((y) => {
      const mine = list.filter((x) => x.school_year === y);
      return h('tr', { 'data-year': y },
        h('th', { scope: 'row', text: y }),
        h('td', { class: 'hk1', text: span(mine.find((x) => x.term === 'HK1')) }),
        h('td', { class: 'hk2', text: span(mine.find((x) => x.term === 'HK2')) }),
        h('td', {}, h('button', { type: 'button', class: 'secondary', 'data-act': 'edit', 'aria-label': `${t('edit')} ${y}`, text: t('edit'), onclick: () => edit(y, mine) })));
    }) : [h('tr', {}, h('td', { colspan: 4, text: t('none') }))]));
  }

  async function load() {
    try { draw((await api.get('/calendar/school-terms')).terms); } catch (e) { error.textContent = problemText(e); }
  }

  const form = h('form', { class: 'card', id: 'terms-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = { school_year: year.value.trim(), hk1: {}, hk2: {} };
    for (const [id, term, end] of DAYS) {
      const d = ymd(days[id].value);
      if (!d) { error.textContent = `${t('badDate')} (${days[id].value.trim() || '—'})`; days[id].focus(); return; }
      body[term][end] = d;
    }
    try {
      await api.call('PUT', '/calendar/school-terms', body);
      message.done(t('termsSaved', body.school_year));
      await load();
    } catch (err) { error.textContent = problemText(err); }
  } },
  h('h3', { text: t('termsSet') }),
  h('div', { class: 'row' }, field('terms-year', t('schoolYear'), year, t('schoolYearHint'))),
  h('div', { class: 'row' },
    field('terms-hk1-first', t('hk1First'), days['hk1-first']), field('terms-hk1-last', t('hk1Last'), days['hk1-last']),
    field('terms-hk2-first', t('hk2First'), days['hk2-first']), field('terms-hk2-last', t('hk2Last'), days['hk2-last'])),
  error, h('button', { type: 'submit', id: 'save-terms', text: t('saveTerms') }));

  load();
  return h('section', { class: 'card', id: 'terms', 'aria-labelledby': 'terms-title' },
    h('h2', { id: 'terms-title', text: t('termsTitle') }),
    h('p', { class: 'muted', text: t('termsHelp') }),
    message,
    h('table', { id: 'terms-table' }, h('caption', { class: 'visually-hidden', text: t('termsTitle') }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('schoolYear') }), h('th', { scope: 'col', text: t('hk1') }), h('th', { scope: 'col', text: t('hk2') }),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: t('actions') })))), rows),
    form);
}
