// The Council and admins: write a survey (every question type, wording
// for each age band, what a child agrees to), preview it exactly as a
// child of an age sees it, publish it, close it. A published version is
// never changed: saving after publishing makes a new draft version, and
// sessions go on using the published one until the draft is published.
//
// The form edits one object shaped as the API's `SurveyIn`: every control
// names the member it holds in `data-path` (the API's own field path, so a
// refusal can point at the control), and one listener writes what is typed
// into the object. What is sent is that object, trimmed of empty values
// and of the settings the question's type does not take.
import * as api from './api.js';
import { h, say, user } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, field, select, status, pagedTable, ask, all, unitOptions, problemText } from './ui.js';
import './survey_words.js';

const KINDS = ['opinion', 'policy_consultation', 'issue_form'];
const TYPES = ['single_choice', 'multiple_choice', 'rating', 'yes_no', 'text', 'number', 'ranking'];
const BANDS = ['6-8', '9-11', '12-14', '15-17'];
const STATUSES = ['draft', 'published', 'closed'];
const FLAGS = ['allow_issues', 'allow_multiple', 'requires_guardian_consent', 'results_public'];
// The settings each type takes, beside key, type, required, text, wording
// by band, show_if, ages and topic.
const TAKES = {
  single_choice: ['options'],
  multiple_choice: ['options', 'min_choices', 'max_choices'],
  ranking: ['options'],
  rating: ['min', 'max', 'faces'],
  number: ['min', 'max'],
  text: ['max_length'],
  yes_no: [],
};
const SPECIFIC = ['options', 'min_choices', 'max_choices', 'min', 'max', 'faces', 'max_length'];

export function show(main, rest) {
  if (rest[0] === 'new') editor(main, null);
  else if (rest[0]) editor(main, rest[0]);
  else list(main);
  return null;
}

// "Published, with a newer draft" and the like.
function statePill(s) {
  const newer = s.status === 'published' && s.latest_version !== s.published_version;
  return h('span', {},
    h('span', { class: `pill ${s.status === 'published' ? 'accepted' : s.status === 'closed' ? 'closed' : ''}`, text: t('surveyStatuses')[s.status] }),
    newer ? h('span', { class: 'pill', text: t('newerDraft', s.latest_version) }) : null);
}

function list(main) {
  const filter = select('survey-status', [['', t('allSurveys')], ...STATUSES.map((s) => [s, t('surveyStatuses')[s]])], '');
  const table = pagedTable({
    id: 'surveys',
    caption: t('surveysTitle'),
    columns: [{ label: t('title') }, { label: t('surveyKind') }, { label: t('state') }, { label: t('updated') }],
    fetch: (cursor) => api.get(`/surveys${api.qs({ limit: 50, cursor, status: filter.value })}`),
    row: (s) => h('tr', { 'data-id': s.id },
      h('td', {}, h('a', { href: `#/surveys/${s.id}`, text: s.title_vi })),
      h('td', { text: t('surveyKinds')[s.kind] }),
      h('td', {}, statePill(s)),
      h('td', { text: f.dateTime(s.updated_at) })),
    empty: t('noSurveys'),
  });
  filter.addEventListener('change', () => table.reload());
  main.replaceChildren(
    h('h1', { text: t('surveysTitle') }),
    h('p', { class: 'muted', text: t('surveysHelp') }),
    h('div', { class: 'toolbar' }, field('survey-status', t('status'), filter),
      h('div', { class: 'field' }, h('a', { class: 'button', id: 'new-survey', href: '#/surveys/new', text: t('newSurvey') }))),
    table.el);
  table.reload();
}

// A new survey: one unit, all ages, one question to start from.
const blank = (unit) => ({
  kind: 'opinion', owner_unit_id: unit, title: { vi: '' }, min_age: 6, max_age: 17, allow_issues: true,
  questions: [newQuestion(1)],
});
const newQuestion = (n) => ({
  key: `q${n}`, type: 'single_choice', required: true, text: { vi: '' },
  options: [{ key: 'o1', label: { vi: '' } }, { key: 'o2', label: { vi: '' } }],
});

// `questions.0.text.vi` → the member, made on the way when `make`.
const steps = (path) => path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
function read(obj, path) {
  let o = obj;
  for (const s of steps(path)) { if (o === undefined || o === null) return undefined; o = o[s]; }
  return o;
}
function write(obj, path, value) {
  const parts = steps(path);
  let o = obj;
  parts.slice(0, -1).forEach((s, i) => {
    if (o[s] === undefined || o[s] === null) o[s] = typeof parts[i + 1] === 'number' ? [] : {};
    o = o[s];
  });
  const last = parts[parts.length - 1];
  if (value === undefined) delete o[last]; else o[last] = value;
}

// What a control holds, as the API takes it ('' is "not given").
function valueOf(el) {
  if (el.type === 'checkbox') return el.checked;
  const v = el.value.trim();
  if (v === '') return undefined;
  if (el.dataset.kind === 'int') return Number.isInteger(Number(v)) ? Number(v) : v;
  if (el.dataset.kind === 'num') return Number.isFinite(Number(v.replace(',', '.'))) ? Number(v.replace(',', '.')) : v;
  if (el.dataset.kind === 'list') return v.split(',').map((x) => x.trim()).filter(Boolean);
  return el.value;
}

// The definition as sent: empty texts and maps gone, each question with
// the settings its type takes only.
function cleaned(def) {
  const prune = (v) => {
    if (Array.isArray(v)) return v.map(prune);
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) {
        const p = prune(x);
        const empty = p === undefined || p === '' || (p && typeof p === 'object' && !Array.isArray(p) && !Object.keys(p).length);
        if (!empty) out[k] = p;
      }
      return out;
    }
    return v;
  };
  const copy = prune(def);
  copy.questions = (copy.questions || []).map((q) => {
    const takes = TAKES[q.type] || [];
    for (const k of SPECIFIC) if (!takes.includes(k)) delete q[k];
    if (q.show_if && !q.show_if.question) delete q.show_if;
    if (q.show_if && !q.show_if.in) q.show_if.in = [];
    return q;
  });
  if (copy.kind !== 'policy_consultation') { delete copy.document_url; delete copy.document_quote; }
  return copy;
}

const idOf = (path) => `sv-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

async function editor(main, id) {
  main.replaceChildren(h('h1', { text: t('surveysTitle') }), h('p', { class: 'muted', text: '…' }));
  let units;
  let topics;
  let survey = null;
  try {
    [units, topics, survey] = await Promise.all([all('/units'), all('/topics'), id ? api.get(`/surveys/${id}`) : null]);
  } catch (e) {
    main.replaceChildren(h('h1', { text: t('surveysTitle') }), h('p', { class: 'error', text: problemText(e) }));
    return;
  }
  const me = user();
  const def = survey ? structuredClone(survey.definition) : blank(me.unit_id || units[0]?.id);
  let dirty = false;

  const closed = () => survey?.status === 'closed';
  const bound = (tag, path, attrs = {}) => {
    const el = h(tag, { id: idOf(path), 'data-path': path, ...attrs });
    const v = read(def, path);
    if (attrs.type === 'checkbox') el.checked = Boolean(v);
    else if (tag === 'select') el.value = v ?? '';
    else el.value = Array.isArray(v) ? v.join(', ') : (v ?? '');
    return el;
  };
  const text = (path, label, attrs = {}, hint) => field(idOf(path), label, bound('input', path, { type: 'text', ...attrs }), hint);
  const area = (path, label, hint) => field(idOf(path), label, bound('textarea', path, { rows: 2 }), hint);
  const number = (path, label, kind = 'int', hint) => field(idOf(path), label, bound('input', path, { type: 'text', inputmode: kind === 'int' ? 'numeric' : 'decimal', size: 6, 'data-kind': kind }), hint);
  const check = (path, label) => h('div', { class: 'check' }, bound('input', path, { type: 'checkbox' }), h('label', { for: idOf(path), text: label }));
  const chooser = (path, label, options) => {
    const el = h('select', { id: idOf(path), 'data-path': path }, options.map(([v, x]) => h('option', { value: v, text: x })));
    el.value = read(def, path) ?? '';
    return field(idOf(path), label, el);
  };
  const both = (path, label, long, hint) => h('div', { class: 'row' },
    (long ? area : text)(`${path}.vi`, `${label} (vi)`, long ? hint : { size: 50 }),
    (long ? area : text)(`${path}.en`, `${label} (en)`, long ? undefined : { size: 50 }));

  // The survey as a whole.
  const general = () => h('fieldset', { class: 'card', id: 'survey-general' },
    h('legend', { text: t('aboutSurvey') }),
    both('title', t('title')),
    both('description', t('description'), true),
    h('div', { class: 'row' },
      chooser('kind', t('surveyKind'), KINDS.map((k) => [k, t('surveyKinds')[k]])),
      chooser('topic', t('topic'), [['', t('noTopic')], ...topics.filter((x) => x.active || x.slug === def.topic).map((x) => [x.slug, words(x.name)])]),
      chooser('owner_unit_id', t('ownerUnit'), unitOptions(units)),
      number('min_age', t('minAge')), number('max_age', t('maxAge'))),
    def.kind === 'policy_consultation' ? h('div', {},
      text('document_url', t('documentUrl'), { type: 'url', size: 60 }),
      area('document_quote', t('documentQuote'), t('documentQuoteHint'))) : null,
    h('div', { class: 'checks' }, FLAGS.map((k) => check(k, t('surveyFlags')[k]))));

  // What a child agrees to, in the survey's words for each band.
  const assent = () => h('fieldset', { class: 'card', id: 'survey-assent' },
    h('legend', { text: t('assentTitle') }),
    h('p', { class: 'muted', text: t('assentHelp') }),
    BANDS.map((b) => h('div', { class: 'band' }, h('h3', { text: t('bandOf', b) }), both(`assent.${b}`, t('assentWords'), true))));

  const questionsEl = h('ol', { class: 'questions', id: 'questions' });
  const question = (q, i) => {
    const p = `questions.${i}`;
    const n = i + 1;
    const takes = TAKES[q.type] || [];
    const earlier = def.questions.slice(0, i).map((x) => [x.key, x.key]);
    const opts = (q.options || []).map((o, j) => h('tr', { 'data-option': j },
      h('td', {}, bound('input', `${p}.options.${j}.key`, { type: 'text', size: 10, 'aria-label': t('optionKeyOf', n, j + 1), autocapitalize: 'none', spellcheck: 'false' })),
      h('td', {}, bound('input', `${p}.options.${j}.label.vi`, { type: 'text', size: 30, 'aria-label': t('optionLabelOf', n, j + 1, 'vi') })),
      h('td', {}, bound('input', `${p}.options.${j}.label.en`, { type: 'text', size: 30, 'aria-label': t('optionLabelOf', n, j + 1, 'en') })),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'data-act': 'remove-option', 'aria-label': t('removeOptionOf', n, j + 1), text: t('remove'),
        onclick: () => { q.options.splice(j, 1); changed(); redraw(); } }))));
    return h('li', { class: 'card question', 'data-question': i },
      h('fieldset', {},
        h('legend', { text: t('questionN', n) }),
        h('div', { class: 'row' },
          text(`${p}.key`, t('questionKey'), { size: 16, autocapitalize: 'none', spellcheck: 'false' }, t('keyHint')),
          chooser(`${p}.type`, t('questionType'), TYPES.map((x) => [x, t('questionTypes')[x]])),
          h('div', { class: 'field pad' }, check(`${p}.required`, t('requiredAnswer')))),
        both(`${p}.text`, t('questionText'), true),
        takes.includes('options') ? h('div', { class: 'field' },
          h('table', { class: 'options' },
            h('caption', { class: 'visually-hidden', text: t('optionsOf', n) }),
            h('thead', {}, h('tr', {}, [t('optionKey'), `${t('optionLabel')} (vi)`, `${t('optionLabel')} (en)`].map((x) => h('th', { scope: 'col', text: x })),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: t('actions') })))),
            h('tbody', {}, opts)),
          h('button', { type: 'button', class: 'secondary', 'data-act': 'add-option', text: t('addOption'),
            onclick: () => { (q.options ||= []).push({ key: `o${q.options.length + 1}`, label: { vi: '' } }); changed(); redraw(`${p}.options.${q.options.length - 1}.label.vi`); } })) : null,
        h('div', { class: 'row' },
          takes.includes('min_choices') ? number(`${p}.min_choices`, t('minChoices')) : null,
          takes.includes('max_choices') ? number(`${p}.max_choices`, t('maxChoices')) : null,
          takes.includes('min') ? number(`${p}.min`, t('minValue'), q.type === 'rating' ? 'int' : 'num') : null,
          takes.includes('max') ? number(`${p}.max`, t('maxValue'), q.type === 'rating' ? 'int' : 'num') : null,
          takes.includes('max_length') ? number(`${p}.max_length`, t('maxLength')) : null,
          takes.includes('faces') ? h('div', { class: 'field pad' }, check(`${p}.faces`, t('faces'))) : null),
        h('div', { class: 'row' },
          i ? chooser(`${p}.show_if.question`, t('showIf'), [['', t('always')], ...earlier]) : null,
          i ? text(`${p}.show_if.in`, t('showIfValues'), { size: 24, 'data-kind': 'list', autocapitalize: 'none', spellcheck: 'false' }, t('showIfHint')) : null,
          number(`${p}.min_age`, t('minAge'), 'int', t('questionAgesHint')), number(`${p}.max_age`, t('maxAge'))),
        h('details', {},
          h('summary', { text: t('byBand') }),
          h('p', { class: 'muted', text: t('byBandHelp') }),
          BANDS.map((b) => both(`${p}.text_by_age_band.${b}`, t('bandOf', b), true))),
        h('p', { class: 'row tight' },
          h('button', { type: 'button', class: 'secondary', 'data-act': 'up', disabled: i === 0, 'aria-label': t('moveUpOf', n), text: t('moveUp'),
            onclick: () => { def.questions.splice(i - 1, 0, def.questions.splice(i, 1)[0]); changed(); redraw(); } }),
          h('button', { type: 'button', class: 'secondary', 'data-act': 'down', disabled: i === def.questions.length - 1, 'aria-label': t('moveDownOf', n), text: t('moveDown'),
            onclick: () => { def.questions.splice(i + 1, 0, def.questions.splice(i, 1)[0]); changed(); redraw(); } }),
          h('button', { type: 'button', class: 'secondary danger-text', 'data-act': 'remove-question', 'aria-label': t('removeQuestionOf', n), text: t('removeQuestion'),
            onclick: () => { def.questions.splice(i, 1); changed(); redraw(); } }))));
  };

  const head = h('div', { id: 'survey-head' });
  const summary = h('div', { id: 'survey-problems', role: 'alert', tabindex: '-1' });
  const message = status('survey-message');
  const previewEl = h('section', { class: 'card', id: 'survey-preview', 'aria-labelledby': 'preview-title' });
  const form = h('form', { id: 'survey-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); } });

  // The first change since saving can be published (it is saved first).
  function changed() { if (!dirty) { dirty = true; drawHead(); } }
  // Draws the form again from the object (after a structural change);
  // `focus` names the control to land on.
  function redraw(focus) {
    const addQuestion = h('button', { type: 'button', class: 'secondary', id: 'add-question', text: t('addQuestion'),
      onclick: () => { def.questions.push(newQuestion(def.questions.length + 1)); changed(); redraw(`questions.${def.questions.length - 1}.text.vi`); } });
    questionsEl.replaceChildren(...def.questions.map(question));
    form.replaceChildren(
      h('fieldset', { class: 'plain', disabled: closed() },
        h('legend', { class: 'visually-hidden', text: t('surveysTitle') }),
        general(),
        h('h2', { text: t('questions') }),
        questionsEl,
        h('p', {}, addQuestion),
        assent()),
      h('p', { class: 'row' },
        h('button', { type: 'submit', id: 'save-survey', disabled: closed(), text: t('saveSurvey') })),
      message);
    if (focus) document.getElementById(idOf(focus))?.focus();
  }

  form.addEventListener('input', (e) => { const el = e.target; if (!el.dataset.path) return; write(def, el.dataset.path, valueOf(el)); changed(); });
  form.addEventListener('change', (e) => {
    const el = e.target;
    if (!el.dataset.path) return;
    write(def, el.dataset.path, valueOf(el));
    changed();
    // A type or a kind changes which settings the form shows; a choice
    // starts with two options.
    const typed = /^questions\.(\d+)\.type$/.exec(el.dataset.path);
    if (typed) {
      const q = def.questions[Number(typed[1])];
      if (TAKES[q.type].includes('options') && !q.options?.length) q.options = [{ key: 'o1', label: { vi: '' } }, { key: 'o2', label: { vi: '' } }];
    }
    if (typed || el.dataset.path === 'kind') redraw(el.dataset.path);
  });

  function drawHead() {
    const published = survey?.published_version;
    const canPublish = survey && !closed() && (dirty || survey.latest_version !== published);
    head.replaceChildren(...[
      h('h1', { text: survey ? survey.title_vi : t('newSurvey') }),
      survey ? h('p', {}, statePill(survey), ' ',
        h('span', { class: 'muted', text: published ? t('versionsOf', survey.latest_version, published) : t('draftVersion', survey.latest_version) })) : null,
      closed() ? h('p', { class: 'notice', text: t('closedSurvey') }) : null,
      survey?.status === 'published' ? h('p', { class: 'muted', text: t('publishedHelp') }) : null,
      survey ? h('p', { class: 'row' },
        h('button', { type: 'button', id: 'publish-survey', disabled: !canPublish, text: t('publishSurvey'), onclick: publish }),
        h('button', { type: 'button', class: 'secondary danger-text', id: 'close-survey', disabled: closed(), text: t('closeSurvey'), onclick: close }),
        survey.status === 'published' && me.role === 'admin' ? h('a', { class: 'button secondary', href: `#/sessions/${survey.id}`, text: t('openSessions') }) : null) : null,
    ].filter(Boolean));
  }

  // The refusal's fields, each a link to its control, which is marked.
  function showProblems(e) {
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const errors = e?.problem?.errors;
    if (!Array.isArray(errors) || !errors.length) { summary.replaceChildren(h('p', { class: 'error', text: problemText(e) })); summary.focus(); return; }
    const items = errors.map((x) => {
      const path = String(x.field).replace(/\[(\d+)\]/g, '.$1');
      // The control itself, or the nearest one that holds the member.
      let el = form.querySelector(`[data-path="${CSS.escape(path)}"]`) || form.querySelector(`[data-path="${CSS.escape(`${path}.vi`)}"]`)
        || form.querySelector(`[data-path^="${CSS.escape(`${path}.`)}"]`);
      for (let p = path; !el && p.includes('.');) { p = p.slice(0, p.lastIndexOf('.')); el = form.querySelector(`[data-path^="${CSS.escape(p)}"]`); }
      if (el) el.setAttribute('aria-invalid', 'true');
      const where = el ? [el.closest('li.question')?.querySelector('legend')?.textContent, el.getAttribute('aria-label') || form.querySelector(`label[for="${el.id}"]`)?.textContent].filter(Boolean).join(' · ') : x.field;
      return h('li', {}, el ? h('a', { href: `#${el.id}`, onclick: (ev) => { ev.preventDefault(); el.closest('details')?.setAttribute('open', ''); el.focus(); }, text: `${where}: ${x.message}` }) : `${where}: ${x.message}`);
    });
    summary.replaceChildren(h('div', { class: 'notice bad' }, h('h2', { text: t('fixThese', errors.length) }), h('ul', {}, items)));
    summary.focus();
  }

  async function save() {
    summary.replaceChildren();
    message.clear();
    try {
      const body = cleaned(def);
      survey = survey ? await api.call('PUT', `/surveys/${survey.id}/draft`, body) : await api.post('/surveys', body);
    } catch (e) { showProblems(e); return false; }
    dirty = false;
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    if (!id) {
      // The address now names the survey; the editor stays as it is.
      id = survey.id;
      history.replaceState(null, '', `#/surveys/${survey.id}`);
    }
    drawHead();
    message.done(t('surveySaved', survey.latest_version));
    return true;
  }

  function publish() {
    ask(t('publishSurvey'), [h('p', { text: t('confirmPublish') })], async () => {
      if (dirty && !(await save())) return;
      survey = await api.post(`/surveys/${survey.id}/publish`);
      dirty = false;
      drawHead();
      say(t('surveyPublished', survey.published_version));
      message.done(t('surveyPublished', survey.published_version));
    }, t('publishSurvey'));
  }

  function close() {
    ask(t('closeSurvey'), [h('p', { text: t('confirmCloseSurvey') })], async () => {
      survey = await api.post(`/surveys/${survey.id}/close`);
      drawHead();
      redraw();
      message.done(t('surveyClosed'));
    }, t('closeSurvey'));
  }

  // The preview: what the API renders for a child of the age, in the language.
  const age = h('select', { id: 'preview-age' }, Array.from({ length: 12 }, (_, k) => h('option', { value: k + 6, text: String(k + 6) })));
  const lang = select('preview-lang', [['vi', 'Tiếng Việt'], ['en', 'English']], 'vi');
  const shown = h('div', { id: 'preview-body', 'aria-live': 'polite' });
  async function preview() {
    if (!survey) { shown.replaceChildren(h('p', { class: 'muted', text: t('saveFirst') })); return; }
    try {
      const r = await api.get(`/surveys/${survey.id}/preview${api.qs({ age: age.value, lang: lang.value })}`);
      shown.replaceChildren(...[
        dirty ? h('p', { class: 'notice warn', text: t('previewSaved') }) : null,
        h('div', { lang: lang.value },
          h('h3', { text: r.title }),
          r.description ? h('p', { text: r.description }) : null,
          h('p', { class: 'notice', id: 'preview-assent' }, h('strong', { text: `${t('assentShown', r.age_band)} ` }), r.assent),
          h('ol', { id: 'preview-questions' }, r.questions.map((q) => h('li', { 'data-key': q.key },
            h('p', {}, h('strong', { text: q.text }), q.required ? ' *' : ''),
            h('p', { class: 'muted small', text: [t('questionTypes')[q.type], q.faces ? t('faces') : null, q.show_if ? t('shownWhen', q.show_if.question, q.show_if.in.join(', ')) : null].filter(Boolean).join(' · ') }),
            q.options?.length ? h('ul', {}, q.options.map((o) => h('li', { text: o.label }))) : null))))].filter(Boolean));
    } catch (e) { shown.replaceChildren(h('p', { class: 'error', text: problemText(e) })); }
  }
  previewEl.replaceChildren(
    h('h2', { id: 'preview-title', text: t('previewTitle') }),
    h('p', { class: 'muted', text: t('previewHelp') }),
    h('div', { class: 'row' }, field('preview-age', t('childAge'), age), field('preview-lang', t('language'), lang),
      h('div', { class: 'field' }, h('button', { type: 'button', class: 'secondary', id: 'preview', text: t('showPreview'), onclick: preview }))),
    shown);

  drawHead();
  redraw();
  main.replaceChildren(h('p', {}, h('a', { href: '#/surveys', text: `← ${t('allSurveysLink')}` })), head, summary, form, previewEl);
}
