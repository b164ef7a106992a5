// Moderators (and admins): compose a recommendation from accepted issues
// and survey evidence, record its approval, route it with the suggestions,
// send it; then the board of deliveries, escalated and overdue first.
import * as api from './api.js';
import { h, say, problem } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, dmy, load, poster } from './ui.js';


export function show(main, rest) {
  if (rest[0] === 'new') compose(main);
  else if (rest[0] && rest[1] === 'edit') compose(main, rest[0]);
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

// The figures of one question as they will be shown to the agencies:
// the published results over the recommendation's unit and below, the
// suppressed cells said as such.
export function figures(r, question, labels) {
  const cols = labels?.length ? labels : (question.column_labels?.length ? question.column_labels : question.columns || []);
  const counts = question.total?.counts || [];
  return h('table', { class: 'figures' },
    h('caption', { class: 'muted', text: `${t('respondents')}: ${f.num(question.total?.respondents || 0)} · ${t('releaseN', r.release?.number ?? r.release)}` }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('answer') }), h('th', { scope: 'col', class: 'num', text: t('children') }), h('th', { scope: 'col', class: 'num', text: '%' }))),
    h('tbody', {}, cols.map((label, i) => {
      const c = counts[i];
      // Published as 0: fewer children than the threshold, or none.
      const hidden = !c || !c.count;
      return h('tr', {}, h('th', { scope: 'row', text: label }),
        h('td', { class: `num${hidden ? ' suppressed' : ''}`, text: hidden ? t('hiddenCell') : f.num(c.count) }),
        h('td', { class: 'num', text: !hidden && c.share !== null && c.share !== undefined ? `${f.num(Math.round(c.share * 100))}%` : '—' }));
    })),
    h('tfoot', {}, h('tr', {}, h('td', { colspan: 3, class: 'muted', text: t('hiddenNote', r.disclosure?.threshold ?? '') }))));
}

// Evidence chosen while composing: each item with its figures for the unit.
async function evidenceCard(item, unitId, onRemove) {
  const card = h('li', { class: 'card evidence', 'data-survey': item.survey_id, 'data-question': item.question_key });
  const remove = onRemove ? h('button', { type: 'button', class: 'secondary', 'data-act': 'remove-evidence', text: t('removeEvidence'), onclick: onRemove }) : null;
  try {
    const r = await api.get(`/surveys/${item.survey_id}/results${api.qs({ unit_id: unitId })}`);
    const q = r.questions.find((x) => x.key === item.question_key);
    card.append(h('p', {}, h('strong', { text: q ? q.text : item.question_key }), h('br'), h('span', { class: 'muted', text: r.survey_title })),
      q ? figures(r, q) : h('p', { class: 'error', text: t('noQuestion') }));
  } catch (e) {
    card.append(h('p', {}, h('strong', { text: item.question_key })), h('p', { class: 'error', text: problem(e) }));
  }
  if (remove) card.append(h('p', {}, remove));
  return card;
}

const COUNTED = ['single_choice', 'multiple_choice', 'yes_no', 'rating'];

async function compose(main, id) {
  let issues;
  let topics;
  let surveys;
  let draft = null;
  try {
    [issues, topics, surveys, draft] = await Promise.all([api.get('/issues?status=accepted&limit=100'), api.get('/topics?limit=100'),
      api.get('/surveys?status=published&limit=100'), id ? api.get(`/recommendations/${id}`) : null]);
  } catch (e) { main.replaceChildren(h('p', { class: 'error', text: problem(e) })); return; }
  const evidence = draft ? draft.evidence.map((x) => ({ survey_id: x.survey_id, question_key: x.question_key })) : [];
  const chosenIssues = new Set(draft ? draft.issue_ids : []);
  const text = (key, label, multi) => {
    const [field, lang] = [key.replace(/-(vi|en)$/, ''), key.slice(-2)];
    const old = draft ? draft[{ 'rec-title': 'title', 'rec-summary': 'summary', 'rec-child': 'child_summary', 'rec-action': 'action' }[field]]?.[lang] || '' : '';
    const control = multi ? h('textarea', { id: key }) : h('input', { type: 'text', id: key, size: 60, value: old });
    if (multi) control.value = old;
    return h('div', { class: 'field' }, h('label', { for: key, text: label }), control);
  };
  const unit = h('select', { id: 'rec-unit' });
  const error = h('p', { class: 'error', role: 'alert' });
  const evidenceList = h('ul', { class: 'plain', id: 'evidence' });
  const drawEvidence = async () => {
    const cards = await Promise.all(evidence.map((item, i) => evidenceCard(item, unit.value, () => { evidence.splice(i, 1); drawEvidence(); })));
    evidenceList.replaceChildren(...(cards.length ? cards : [h('li', { class: 'muted', text: t('noEvidence') })]));
  };
  const refreshUnits = () => {
    const chosen = issues.items.filter((i) => document.getElementById(`pick-${i.id}`)?.checked);
    const ids = [...new Set(chosen.map((i) => i.unit_id))];
    if (draft && !ids.includes(draft.unit_id)) ids.unshift(draft.unit_id);
    const before = unit.value;
    unit.replaceChildren(...ids.map((u) => h('option', { value: u, selected: u === before || (!before && draft && u === draft.unit_id), text: '…' })));
    for (const option of unit.options) {
      api.get(`/units/${option.value}`).then((x) => { option.textContent = `${words(x.name)} (${x.code})`; }).catch(() => {});
    }
    if (unit.value !== before) drawEvidence();
  };
  unit.addEventListener('change', drawEvidence);
  // Choosing evidence: a published survey, then one of its counted questions.
  const surveyPick = h('select', { id: 'ev-survey' }, h('option', { value: '', text: '—' }), surveys.items.map((x) => h('option', { value: x.id, text: x.title_vi })));
  const questionPick = h('select', { id: 'ev-question', disabled: true });
  surveyPick.addEventListener('change', async () => {
    questionPick.replaceChildren();
    questionPick.disabled = true;
    if (!surveyPick.value) return;
    try {
      const sv = await api.get(`/surveys/${surveyPick.value}`);
      const qs = (sv.definition.questions || []).filter((q) => COUNTED.includes(q.type));
      questionPick.replaceChildren(...qs.map((q) => h('option', { value: q.key, text: words(q.text) || q.key })));
      questionPick.disabled = !qs.length;
    } catch (e) { error.textContent = problem(e); }
  });
  const addEvidence = h('button', { type: 'button', class: 'secondary', id: 'add-evidence', text: t('addEvidence'), onclick: () => {
    error.textContent = '';
    if (!surveyPick.value || !questionPick.value) return;
    if (!unit.value) { error.textContent = t('unitFirst'); return; }
    if (!evidence.some((x) => x.survey_id === surveyPick.value && x.question_key === questionPick.value)) {
      evidence.push({ survey_id: surveyPick.value, question_key: questionPick.value });
    }
    drawEvidence();
  } });
  const value = (key) => document.getElementById(key).value.trim();
  const both = (key) => ({ vi: value(`${key}-vi`), en: value(`${key}-en`) || null });
  const send = async (e) => {
    e.preventDefault();
    const picked = issues.items.filter((i) => document.getElementById(`pick-${i.id}`).checked).map((i) => i.id);
    // Issues of the draft no longer in the accepted list stay.
    const kept = draft ? draft.issue_ids.filter((x) => !issues.items.some((i) => i.id === x)) : [];
    const body = {
      title: both('rec-title'), summary: both('rec-summary'), child_summary: both('rec-child'), action: both('rec-action'),
      topic: document.getElementById('rec-topic').value, unit_id: unit.value, issue_ids: [...kept, ...picked], evidence,
    };
    try {
      const r = draft ? await api.patch(`/recommendations/${draft.id}`, body) : await api.post('/recommendations', body);
      say(t('done'));
      location.hash = `#/recs/${r.id}`;
    } catch (err) { error.textContent = problem(err); }
  };
  main.replaceChildren(
    h('p', {}, h('a', { href: draft ? `#/recs/${draft.id}` : '#/recs', text: `← ${t('back')}` })),
    h('h1', { text: draft ? t('editDraft') : t('newRec') }),
    h('form', { class: 'card', id: 'rec-form', novalidate: true, onsubmit: send },
      h('fieldset', { class: 'issues-pick' }, h('legend', { text: t('fromIssues') }),
        issues.items.length ? issues.items.map((i) => h('div', { class: 'row' },
          h('input', { type: 'checkbox', id: `pick-${i.id}`, checked: chosenIssues.has(i.id), onchange: refreshUnits }),
          h('label', { for: `pick-${i.id}`, text: `${i.title} (${t('supportsN', f.num(i.supports))})` }))) : h('p', { text: t('empty') })),
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'rec-topic', text: t('topic') }),
          h('select', { id: 'rec-topic' }, topics.items.filter((x) => x.active || x.slug === draft?.topic).map((x) => h('option', { value: x.slug, selected: x.slug === draft?.topic, text: words(x.name) })))),
        h('div', { class: 'field' }, h('label', { for: 'rec-unit', text: t('recUnit') }), unit)),
      text('rec-title-vi', `${t('title')} (vi)`), text('rec-title-en', `${t('title')} (en)`),
      text('rec-summary-vi', `${t('recSummary')} (vi)`, true), text('rec-summary-en', `${t('recSummary')} (en)`, true),
      text('rec-action-vi', `${t('askedAction')} (vi)`, true), text('rec-action-en', `${t('askedAction')} (en)`, true),
      text('rec-child-vi', `${t('childWords')} (vi)`, true), text('rec-child-en', `${t('childWords')} (en)`, true),
      h('fieldset', { id: 'evidence-pick' }, h('legend', { text: t('evidence') }),
        h('p', { class: 'muted', text: t('evidenceHelp') }),
        evidenceList,
        h('div', { class: 'row' },
          h('div', { class: 'field' }, h('label', { for: 'ev-survey', text: t('survey') }), surveyPick),
          h('div', { class: 'field' }, h('label', { for: 'ev-question', text: t('question') }), questionPick),
          h('div', { class: 'field' }, addEvidence))),
      error,
      h('button', { type: 'submit', id: 'save-rec', text: draft ? t('saveChanges') : t('saveDraft') })));
  refreshUnits();
  drawEvidence();
}

async function detail(main, id) {
  const r = await load(main, `/recommendations/${id}`);
  if (!r) return;
  const message = h('p', { id: 'rec-message', role: 'status' });
  const run = poster(message, () => detail(main, id));
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
  if (r.status === 'draft' && r.evidence.length) {
    const list = h('ul', { class: 'plain', id: 'evidence' });
    parts.push(h('h2', { text: t('evidence') }), h('p', { class: 'muted', text: t('evidenceHelp') }), list);
    Promise.all(r.evidence.map((x) => evidenceCard(x, r.unit_id))).then((cards) => list.replaceChildren(...cards));
  }
  if (r.status === 'draft') {
    // The Council meeting it was approved at, from the meetings recorded.
    let meetings = [];
    try { meetings = (await api.get('/events?kind=council_meeting&limit=100')).items; } catch (e) { message.textContent = problem(e); }
    const meeting = h('select', { id: 'approve-event' }, h('option', { value: '', text: t('noMeeting') }),
      meetings.slice().reverse().map((m) => h('option', { value: m.id, text: `${dmy(m.held_on)} · ${m.title}` })));
    parts.push(h('p', {}, h('a', { class: 'button secondary', id: 'edit-draft', href: `#/recs/${id}/edit`, text: t('editDraft') })),
      h('form', { class: 'card', id: 'approve-form', onsubmit: (e) => { e.preventDefault(); run(`/recommendations/${id}/approve`, { event_id: meeting.value || null }); } },
        h('h2', { text: t('approve') }),
        h('div', { class: 'field' }, h('label', { for: 'approve-event', text: t('approvedAt') }), meeting,
          h('span', { class: 'hint muted', text: t('meetingHint') })),
        h('button', { type: 'submit', id: 'approve', text: t('approve') })));
  } else {
    if (r.approval_event_id) {
      const where = h('p', { id: 'approved-at', class: 'muted' });
      parts.push(where);
      api.get(`/events/${r.approval_event_id}`).then((m) => { where.textContent = `${t('approvedAt')}: ${m.title}, ${dmy(m.held_on)}`; }).catch(() => {});
    }
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
