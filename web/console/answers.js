// Moderators (and admins): children's written answers to a survey, as
// screened and redacted, to promote the ones that raise an issue into the
// Council's queue. Paged on the server; a promotion updates its row.
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import { field, select, status, pagedTable } from './ui.js';

export function show(main) {
  const message = status('answers-message');
  const s = { survey: '', question: '' };
  const surveyPick = select('ans-survey', [], '');
  const questionPick = select('ans-question', [['', t('allQuestions')]], '');
  const table = pagedTable({
    id: 'answers',
    caption: t('answersTitle'),
    empty: t('noAnswers'),
    columns: [{ label: t('question') }, { label: t('answerText') }, { label: t('actions'), hidden: true }],
    fetch: (cursor) => (s.survey ? api.get(`/surveys/${s.survey}/answers${api.qs({ question: s.question, limit: 25, cursor })}`) : Promise.resolve({ items: [] })),
    row: (a) => h('tr', { 'data-id': a.answer_id },
      h('td', {}, h('code', { text: a.question_key })),
      h('td', { class: 'answer-text', text: a.text }),
      h('td', {}, a.promoted_issue_id
        ? h('span', { class: 'pill accepted', text: t('promoted') })
        : h('button', { type: 'button', 'data-act': 'promote', 'aria-label': `${t('promote')}: ${a.text.slice(0, 60)}`, text: t('promote'), onclick: () => promote(a) }))),
  });
  async function promote(a) {
    try {
      const issue = await api.post(`/surveys/${s.survey}/answers/${a.answer_id}/promote`);
      table.put({ ...a, promoted_issue_id: issue.id }, 'answer_id');
      message.done(t('promotedNow'));
    } catch (e) { message.fail(e); }
  }
  surveyPick.addEventListener('change', async () => {
    s.survey = surveyPick.value;
    s.question = '';
    questionPick.replaceChildren(h('option', { value: '', text: t('allQuestions') }));
    if (s.survey) {
      try {
        const sv = await api.get(`/surveys/${s.survey}`);
        questionPick.append(...(sv.definition.questions || []).filter((q) => q.type === 'text')
          .map((q) => h('option', { value: q.key, text: q.text?.vi || q.key })));
      } catch (e) { message.fail(e); }
    }
    table.reload();
  });
  questionPick.addEventListener('change', () => { s.question = questionPick.value; table.reload(); });
  main.replaceChildren(h('h1', { text: t('answersTitle') }),
    h('p', { class: 'muted', text: t('answersHelp') }),
    h('div', { class: 'toolbar' }, field('ans-survey', t('survey'), surveyPick), field('ans-question', t('question'), questionPick)),
    message, table.el);
  api.get('/surveys?limit=100').then((r) => {
    const usable = r.items.filter((x) => x.published_version);
    surveyPick.replaceChildren(h('option', { value: '', text: t('chooseSurvey') }), ...usable.map((x) => h('option', { value: x.id, text: x.title_vi })));
  }).catch((e) => message.fail(e));
  return null;
}
