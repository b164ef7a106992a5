// Admins: the audit log, filtered on the server (what was changed, its
// id, who, which days) and paged; each entry opens to its before and after.
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { ymd, field, input, select, pagedTable } from './ui.js';

// The kinds of thing the service records changes of (storage's audit::Change).
const ENTITIES = ['user', 'unit', 'reorganisation', 'topic', 'agency', 'target', 'calendar', 'school_year', 'survey', 'session',
  'response', 'event', 'issue', 'recommendation', 'delivery', 'outbox', 'safeguarding_case', 'safeguarding_webhook', 'retention'];

export function log(area, rest) {
  const filters = { entity: rest[0] || '', entity_id: '', actor: '', from: '', to: '' };
  const error = h('p', { class: 'error', role: 'alert', id: 'audit-error' });
  const json = (v) => h('pre', { class: 'json', text: JSON.stringify(v, null, 2) });
  const table = pagedTable({
    id: 'audit',
    caption: t('admAudit'),
    columns: [{ label: t('when') }, { label: t('who') }, { label: t('action') }, { label: t('what') }, { label: t('change') }],
    empty: t('noEntries'),
    fetch: (cursor) => api.get(`/audit${api.qs({ ...filters, limit: 50, cursor })}`),
    row: (e) => h('tr', { 'data-id': e.id, 'data-action': e.action },
      h('td', { text: f.dateTime(e.at) }),
      h('td', { text: e.actor }),
      h('td', {}, h('code', { text: e.action })),
      h('td', {}, t('entities')[e.entity] || e.entity, e.entity_id ? h('br') : null, e.entity_id ? h('code', { class: 'muted small', text: e.entity_id }) : null),
      h('td', {}, e.before || e.after ? h('details', {}, h('summary', { text: t('beforeAfter') }),
        e.before ? h('div', {}, h('strong', { text: t('before') }), json(e.before)) : null,
        e.after ? h('div', {}, h('strong', { text: t('after') }), json(e.after)) : null) : '—')),
  });
  const form = h('form', { class: 'toolbar', id: 'audit-filters', role: 'search', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    error.textContent = '';
    const v = (id) => document.getElementById(id).value.trim();
    const from = v('a-from');
    const to = v('a-to');
    if ((from && !ymd(from)) || (to && !ymd(to))) { error.textContent = t('badDate'); return; }
    Object.assign(filters, { entity: v('a-entity'), entity_id: v('a-id'), actor: v('a-actor'), from: ymd(from) || '', to: ymd(to) || '' });
    table.reload();
  } },
  field('a-entity', t('what'), select('a-entity', [['', t('everything')], ...ENTITIES.map((x) => [x, t('entities')[x] || x])], filters.entity)),
  field('a-id', t('entityId'), input('a-id', { size: 20, spellcheck: 'false' })),
  field('a-actor', t('who'), input('a-actor', { size: 14, spellcheck: 'false', autocapitalize: 'none' }), t('actorHint')),
  field('a-from', t('fromDay'), input('a-from', { size: 11, placeholder: 'dd/mm/yyyy' })),
  field('a-to', t('toDay'), input('a-to', { size: 11, placeholder: 'dd/mm/yyyy' })),
  h('button', { type: 'submit', id: 'audit-filter', text: t('filter') }));
  area.replaceChildren(h('h1', { text: t('admAudit') }), h('p', { class: 'muted', text: t('auditIntro') }), form, error, table.el);
  table.reload();
}
