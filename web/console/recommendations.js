// Moderators (and admins): compose a recommendation from accepted issues
// and survey evidence, record its approval, route it with the suggestions,
// send it; then the board of deliveries, escalated and overdue first.
import * as api from './api.js';
import { h, say, problem } from './console.js';
import { t, current } from './i18n.js';
import * as f from './format.js';

const words = (text) => (text ? text[current()] || text.vi : '');
const dmy = (d) => (d ? d.split('-').reverse().join('/') : '');

export function show(main, rest) {
  if (rest[0] === 'new') compose(main);
  else if (rest[0]) detail(main, rest[0]);
  else board(main);
  return null;
}

async function board(main) {
  main.replaceChildren(h('h1', { text: t('recsTitle') }), h('p', { class: 'muted', text: '…' }));
  let recs;
  let deliveries;
  let topics;
  try {
    [recs, deliveries, topics] = await Promise.all([api.get('/recommendations?limit=100'), api.get('/deliveries?limit=100'), api.get('/topics?limit=100')]);
  } catch (e) { main.replaceChildren(h('h1', { text: t('recsTitle') }), h('p', { class: 'error', text: problem(e) })); return; }
  const rows = deliveries.items.slice().sort((a, b) => (b.escalated - a.escalated) || (b.days_overdue - a.days_overdue) || a.due_on.localeCompare(b.due_on));
  const titles = Object.fromEntries(recs.items.map((r) => [r.id, words(r.title)]));
  main.replaceChildren(
    h('h1', { text: t('recsTitle') }),
    h('p', {}, h('a', { class: 'button', id: 'new-rec', href: '#/recs/new', text: t('newRec') })),
    h('h2', { text: t('recsList') }),
    recs.items.length ? h('table', { id: 'recs' },
      h('thead', {}, h('tr', {}, [t('title'), t('topic'), t('state')].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, recs.items.map((r) => h('tr', { 'data-id': r.id },
        h('td', {}, h('a', { href: `#/recs/${r.id}`, text: words(r.title) })),
        h('td', { text: words(topics.items.find((x) => x.slug === r.topic)?.name) || r.topic }),
        h('td', {}, h('span', { class: `pill ${r.status === 'sent' ? 'accepted' : ''}`, text: t('recStatuses')[r.status] })))))) : h('p', { text: t('none') }),
    h('h2', { text: t('boardTitle') }),
    rows.length ? h('table', { id: 'board' },
      h('thead', {}, h('tr', {}, [t('agency'), t('recommendation'), t('due'), t('state')].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, rows.map((d) => h('tr', { 'data-id': d.id },
        h('td', { text: words(d.agency_name) }),
        h('td', {}, h('a', { href: `#/recs/${d.recommendation_id}`, text: titles[d.recommendation_id] || '…' })),
        h('td', {}, dmy(d.due_on), d.overdue ? h('span', { class: 'error', text: ` · ${t('overdueBy', d.days_overdue)}` }) : null),
        h('td', {}, h('span', { class: 'pill', text: t('deliveryStatuses')[d.status] || d.status }),
          d.escalated ? h('span', { class: 'pill urgent', text: t('escalated') }) : null))))) : h('p', { text: t('none') }));
}

async function compose(main) {
  let issues;
  let topics;
  try {
    [issues, topics] = await Promise.all([api.get('/issues?status=accepted&limit=100'), api.get('/topics?limit=100')]);
  } catch (e) { main.replaceChildren(h('p', { class: 'error', text: problem(e) })); return; }
  const text = (id, label, multi) => h('div', { class: 'field' }, h('label', { for: id, text: label }),
    multi ? h('textarea', { id }) : h('input', { type: 'text', id, size: 60 }));
  const unit = h('select', { id: 'rec-unit' });
  const error = h('p', { class: 'error', role: 'alert' });
  const refreshUnits = () => {
    const chosen = issues.items.filter((i) => document.getElementById(`pick-${i.id}`)?.checked);
    const ids = [...new Set(chosen.map((i) => i.unit_id))];
    unit.replaceChildren(...ids.map((u) => h('option', { value: u, text: '…' })));
    for (const option of unit.options) {
      api.get(`/units/${option.value}`).then((x) => { option.textContent = `${words(x.name)} (${x.code})`; }).catch(() => {});
    }
  };
  const value = (id) => document.getElementById(id).value.trim();
  const both = (id) => ({ vi: value(`${id}-vi`), en: value(`${id}-en`) || null });
  const send = async (e) => {
    e.preventDefault();
    const picked = issues.items.filter((i) => document.getElementById(`pick-${i.id}`).checked).map((i) => i.id);
    try {
      const r = await api.post('/recommendations', {
        title: both('rec-title'), summary: both('rec-summary'), child_summary: both('rec-child'), action: both('rec-action'),
        topic: document.getElementById('rec-topic').value, unit_id: unit.value, issue_ids: picked, evidence: [],
      });
      say(t('done'));
      location.hash = `#/recs/${r.id}`;
    } catch (err) { error.textContent = problem(err); }
  };
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/recs', text: `← ${t('back')}` })),
    h('h1', { text: t('newRec') }),
    h('form', { class: 'card', id: 'rec-form', novalidate: true, onsubmit: send },
      h('fieldset', { class: 'issues-pick' }, h('legend', { text: t('fromIssues') }),
        issues.items.length ? issues.items.map((i) => h('div', { class: 'row' },
          h('input', { type: 'checkbox', id: `pick-${i.id}`, onchange: refreshUnits }),
          h('label', { for: `pick-${i.id}`, text: `${i.title} (${t('supportsN', f.num(i.supports))})` }))) : h('p', { text: t('empty') })),
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'rec-topic', text: t('topic') }),
          h('select', { id: 'rec-topic' }, topics.items.filter((x) => x.active).map((x) => h('option', { value: x.slug, text: words(x.name) })))),
        h('div', { class: 'field' }, h('label', { for: 'rec-unit', text: t('recUnit') }), unit)),
      text('rec-title-vi', `${t('title')} (vi)`), text('rec-title-en', `${t('title')} (en)`),
      text('rec-summary-vi', `${t('recSummary')} (vi)`, true), text('rec-summary-en', `${t('recSummary')} (en)`, true),
      text('rec-action-vi', `${t('askedAction')} (vi)`, true), text('rec-action-en', `${t('askedAction')} (en)`, true),
      text('rec-child-vi', `${t('childWords')} (vi)`, true), text('rec-child-en', `${t('childWords')} (en)`, true),
      error,
      h('button', { type: 'submit', id: 'save-rec', text: t('saveDraft') })));
}

async function detail(main, id) {
  let r;
  try { r = await api.get(`/recommendations/${id}`); } catch (e) { main.replaceChildren(h('p', { class: 'error', text: problem(e) })); return; }
  const message = h('p', { id: 'rec-message', role: 'status' });
  const run = async (path, body) => {
    try {
      await api.post(path, body);
      say(t('done'));
      await detail(main, id);
      document.getElementById('rec-message').textContent = t('done');
    } catch (e) { message.textContent = problem(e); }
  };
  const parts = [
    h('p', {}, h('a', { href: '#/recs', text: `← ${t('back')}` })),
    h('h1', { text: words(r.title) }),
    h('p', {}, h('span', { class: 'pill', id: 'rec-status', text: t('recStatuses')[r.status] }), ` ${t('issuesBehind', r.issue_ids.length)}`),
    message,
    h('div', { class: 'card' },
      h('h2', { text: t('recSummary') }), h('p', { text: words(r.summary) }),
      h('h3', { text: t('askedAction') }), h('p', { text: words(r.action) }),
      h('h3', { text: t('childWords') }), h('p', { text: words(r.child_summary) })),
  ];
  if (r.status === 'draft') {
    parts.push(h('p', {}, h('button', { type: 'button', id: 'approve', text: t('approve'), onclick: () => run(`/recommendations/${id}/approve`, {}) })));
  } else {
    let suggestions = [];
    try { suggestions = await api.get(`/recommendations/${id}/routing-suggestions`); } catch (e) { message.textContent = problem(e); }
    const open = suggestions.filter((s) => !s.already_delivered);
    if (open.length) {
      parts.push(h('form', { class: 'card', id: 'route-form', onsubmit: (e) => {
        e.preventDefault();
        const chosen = open.filter((s) => document.getElementById(`route-${s.agency_id}`).checked).map((s) => ({ agency_id: s.agency_id }));
        if (chosen.length) run(`/recommendations/${id}/send`, { deliveries: chosen });
      } },
      h('fieldset', {}, h('legend', { text: t('routeTo') }),
        open.map((s) => h('div', { class: 'row' },
          h('input', { type: 'checkbox', id: `route-${s.agency_id}`, checked: s.distance === 0 }),
          h('label', { for: `route-${s.agency_id}`, text: `${words(s.name)} (${t('distance', s.distance)})` })))),
      h('button', { type: 'submit', id: 'send', text: t('sendRec') })));
    }
  }
  if (r.deliveries?.length) {
    parts.push(h('h2', { text: t('boardTitle') }), h('table', { id: 'rec-deliveries' },
      h('thead', {}, h('tr', {}, [t('agency'), t('due'), t('state')].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, r.deliveries.map((d) => h('tr', {},
        h('td', { text: words(d.agency_name) }), h('td', { text: dmy(d.due_on) }),
        h('td', { text: `${t('deliveryStatuses')[d.status] || d.status}${d.reply ? ` · ${t('stances')[d.reply.stance]}` : ''}` }))))));
  }
  main.replaceChildren(...parts);
}
