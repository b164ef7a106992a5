// Agency staff: their agency's deliveries. Read the recommendation and its
// evidence, acknowledge, reply once with a stance and commitments, report
// progress on each commitment.
import * as api from './api.js';
import { h, problem } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, dmy, ymd, load, poster } from './ui.js';

const STANCES = ['accepted', 'partially_accepted', 'declined', 'not_responsible'];

export function show(main, rest) {
  if (rest[0]) delivery(main, rest[0]);
  else inbox(main);
  return null;
}

const pill = (d) => h('span', { class: `pill ${d.overdue ? 'urgent' : ''}`, text: t('deliveryStatuses')[d.status] || d.status });

async function inbox(main) {
  main.replaceChildren(h('h1', { text: t('inboxTitle') }), h('p', { class: 'muted', text: '…' }));
  let items;
  try { items = (await api.get('/agency/deliveries?limit=100')).items; } catch (e) { main.replaceChildren(h('h1', { text: t('inboxTitle') }), h('p', { class: 'error', text: problem(e) })); return; }
  // Overdue first, then the nearest due date.
  items.sort((a, b) => (b.overdue - a.overdue) || a.due_on.localeCompare(b.due_on));
  main.replaceChildren(h('h1', { text: t('inboxTitle') }),
    items.length ? h('table', { id: 'deliveries' },
      h('thead', {}, h('tr', {}, [t('recommendation'), t('sent'), t('due'), t('state')].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, items.map((d) => h('tr', { 'data-id': d.id },
        h('td', {}, h('a', { href: `#/inbox/${d.id}`, text: words(d.recommendation.title) })),
        h('td', { text: f.date(d.sent_at) }),
        h('td', {}, dmy(d.due_on), d.overdue ? h('span', { class: 'error', text: ` · ${t('overdueBy', d.days_overdue)}` }) : null),
        h('td', {}, pill(d)))))) : h('p', { text: t('noDeliveries') }));
}

function evidence(e) {
  const r = e.results;
  const labels = e.labels?.columns?.length ? e.labels.columns : (r.column_labels || r.columns || []);
  const counts = r.total?.counts || [];
  return h('figure', { class: 'card evidence' },
    h('figcaption', {}, h('strong', { text: e.labels?.question || r.text }), h('br'), h('span', { class: 'muted', text: [e.labels?.survey_title, e.labels?.unit].filter(Boolean).join(' · ') })),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('answer') }), h('th', { scope: 'col', class: 'num', text: t('children') }), h('th', { scope: 'col', class: 'num', text: '%' }))),
      h('tbody', {}, labels.map((label, i) => {
        const c = counts[i];
        return h('tr', {}, h('th', { scope: 'row', text: label }),
          // Published as 0: fewer children than the threshold, or none.
          h('td', { class: 'num', text: c && c.count ? f.num(c.count) : t('hiddenCell') }),
          h('td', { class: 'num', text: c && c.count && c.share !== null && c.share !== undefined ? `${f.num(Math.round(c.share * 100))}%` : '—' }));
      }))),
    h('p', { class: 'muted', text: `${t('respondents')}: ${f.num(r.total?.respondents || 0)}` }),
    h('p', { class: 'muted small', text: t('hiddenNote', e.disclosure?.threshold ?? '') }));
}

async function delivery(main, id) {
  const d = await load(main, `/agency/deliveries/${id}`);
  if (!d) return;
  const rec = d.recommendation;
  const message = h('p', { id: 'delivery-message', role: 'status' });
  const run = poster(message, () => delivery(main, id));
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/inbox', text: `← ${t('back')}` })),
    h('h1', { text: words(rec.title) }),
    h('p', {}, pill(d), ` ${t('due')}: ${dmy(d.due_on)}`, d.overdue ? h('span', { class: 'error', text: ` · ${t('overdueBy', d.days_overdue)}` }) : null),
    message,
    h('div', { class: 'side' },
      h('section', { class: 'card', 'aria-labelledby': 'rec-h' },
        h('h2', { id: 'rec-h', text: t('recommendation') }),
        h('p', { text: words(rec.summary) }),
        h('h3', { text: t('askedAction') }), h('p', { text: words(rec.action) }),
        h('h3', { text: t('childWords') }), h('p', { text: words(rec.child_summary) }),
        h('p', { class: 'muted', text: rec.issues_count ? t('issuesBehind', rec.issues_count) : t('issuesBehindHidden') })),
      h('section', { 'aria-labelledby': 'ev-h' }, h('h2', { id: 'ev-h', text: t('evidence') }), rec.evidence.map(evidence))),
    ...(d.acknowledged_at ? [] : [h('p', {}, h('button', { type: 'button', id: 'acknowledge', text: t('acknowledge'), onclick: () => run(`/agency/deliveries/${id}/acknowledge`, {}) }))]),
    d.reply ? replied(d, run) : replyForm(id, run));
}

function replied(d, run) {
  return h('section', { class: 'card', id: 'reply', 'aria-labelledby': 'reply-h' },
    h('h2', { id: 'reply-h', text: `${t('ourReply')}: ${t('stances')[d.reply.stance]}` }),
    h('p', { text: d.reply.body }),
    d.commitments.length ? h('h3', { text: t('commitments') }) : null,
    h('ul', { class: 'commitments' }, d.commitments.map((c) => {
      const note = h('input', { type: 'text', id: `note-${c.id}`, size: 40 });
      const label = h('label', { for: `note-${c.id}`, text: t('progressNote') });
      return h('li', { 'data-id': c.id },
        h('strong', { text: c.text }), ` · ${t('by')} ${dmy(c.due_on)} · `, h('span', { class: 'pill', text: t('commitmentStatuses')[c.status] }),
        h('ul', {}, c.updates.map((u) => h('li', { text: `${f.date(u.at)}: ${u.note}` }))),
        c.status === 'done' ? null : h('div', { class: 'row' }, h('div', {}, label, note),
          h('button', { type: 'button', class: 'secondary', 'data-progress': 'in_progress', text: t('inProgress'), onclick: () => note.value.trim() && run(`/agency/deliveries/${d.id}/updates`, { commitment_id: c.id, status: 'in_progress', note: note.value.trim() }) }),
          h('button', { type: 'button', 'data-progress': 'done', text: t('markDone'), onclick: () => note.value.trim() && run(`/agency/deliveries/${d.id}/updates`, { commitment_id: c.id, status: 'done', note: note.value.trim() }) })));
    })));
}

function replyForm(id, run) {
  const stance = h('select', { id: 'stance' }, STANCES.map((s) => h('option', { value: s, text: t('stances')[s] })));
  const body = h('textarea', { id: 'reply-body' });
  const child = h('textarea', { id: 'reply-child' });
  const reason = h('input', { type: 'text', id: 'reply-reason', size: 50 });
  const list = h('div', { id: 'commitment-list' });
  const error = h('p', { class: 'error', role: 'alert' });
  const addCommitment = () => {
    const n = list.children.length;
    list.append(h('div', { class: 'row commitment' },
      h('div', {}, h('label', { for: `c-text-${n}`, text: t('commitment') }), h('input', { type: 'text', id: `c-text-${n}`, class: 'c-text', size: 50 })),
      h('div', {}, h('label', { for: `c-due-${n}`, text: t('dueDay') }), h('input', { type: 'text', id: `c-due-${n}`, class: 'c-due', size: 11 }))));
  };
  addCommitment();
  const send = (e) => {
    e.preventDefault();
    const commitments = [...list.children].map((row) => ({ text: row.querySelector('.c-text').value.trim(), due: row.querySelector('.c-due').value }))
      .filter((c) => c.text).map((c) => ({ text: c.text, due_on: ymd(c.due) }));
    if (commitments.some((c) => !c.due_on)) { error.textContent = t('badDay'); return; }
    const accepting = ['accepted', 'partially_accepted'].includes(stance.value);
    run(`/agency/deliveries/${id}/replies`, {
      stance: stance.value, body: body.value.trim(), child_summary: child.value.trim() || null,
      reason: reason.value.trim() || null, commitments: accepting ? commitments : [],
    });
  };
  return h('form', { class: 'card', id: 'reply-form', novalidate: true, onsubmit: send },
    h('h2', { text: t('reply') }),
    h('div', { class: 'field' }, h('label', { for: 'stance', text: t('stance') }), stance),
    h('div', { class: 'field' }, h('label', { for: 'reply-body', text: t('replyBody') }), body),
    h('div', { class: 'field' }, h('label', { for: 'reply-child', text: t('replyChild') }), child),
    h('div', { class: 'field' }, h('label', { for: 'reply-reason', text: t('replyReason') }), reason),
    h('h3', { text: t('commitments') }), list,
    h('p', {}, h('button', { type: 'button', class: 'secondary', id: 'add-commitment', text: t('addCommitment'), onclick: addCommitment })),
    error,
    h('button', { type: 'submit', id: 'send-reply', text: t('sendReply') }));
}
