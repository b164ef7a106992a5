// The children's app: join, one question per screen, answers kept on the
// device until the API has them (one Idempotency-Key chosen before the
// first try, so a retry never stores twice), the receipt, and a device
// left clear for the next child.
import * as api from './api.js';
import { t } from './i18n.js';
import * as store from './store.js';
import { el, render, visible } from './questions.js';

const main = document.getElementById('main');
const live = document.getElementById('live');
const langButton = document.getElementById('lang');

let state = store.load() || { stage: 'join' };
// Who the child is for next time: only when they chose to be remembered.
let me = store.loadMe();
state.lang = state.lang || (navigator.language?.startsWith('en') ? 'en' : 'vi');
let retryTimer = null;
let idleTimer = null;
// A shared device clears itself once nobody has touched it for a while:
// three minutes after the answers are sent, ten while a child is joining or
// answering (a child who walked away leaves nothing for the next), never
// while answers wait to be sent. Any tap, key, typing or scrolling starts
// the time again, on whichever screen the child is reading.
const IDLE_MS = 180000;
const LONG_IDLE_MS = 600000;
let idleMs = 0;
function restartIdle() {
  clearTimeout(idleTimer);
  if (idleMs) idleTimer = setTimeout(clearDevice, idleMs);
}
function armIdle(ms = IDLE_MS) {
  idleMs = ms;
  restartIdle();
}
function disarmIdle() {
  idleMs = 0;
  clearTimeout(idleTimer);
}
/// Which idle time this screen has: none on a remembered child's own phone
/// or while answers wait to be sent; the long one before answering (once
/// something of the child is on the screen); the short one after.
function idlePolicy() {
  if (me || state.stage === 'sending' || state.waiting) disarmIdle();
  else if (['join', 'assent', 'answer'].includes(state.stage)) {
    const typed = state.draft && Object.values(state.draft).some((v) => v);
    if (state.stage !== 'join' || typed || state.prefill) armIdle(LONG_IDLE_MS);
    else disarmIdle();
  } else armIdle(IDLE_MS);
}
for (const name of ['pointerdown', 'keydown', 'input', 'scroll']) {
  addEventListener(name, restartIdle, { capture: true, passive: true });
}

// The QR code's address carries the join code: read it, then take it out
// of the address bar and the history.
const fromQr = location.pathname.match(/^\/j\/([^/]+)/);
if (fromQr) {
  state.prefill = decodeURIComponent(fromQr[1]);
  history.replaceState(null, '', '/app/');
}

function tr() { return t(state.lang); }
function keep() { store.save({ ...state, prefill: undefined }); }
let lastStep = null; // the question last announced, "3/7"
function announce(text) { live.textContent = ''; setTimeout(() => { live.textContent = text; }, 50); }
function show(...nodes) {
  main.replaceChildren(...nodes.filter(Boolean));
  main.focus({ preventScroll: true });
  scrollTo(0, 0);
}
function problem(e) {
  if (e instanceof api.ApiError) return e.problem.detail || e.problem.title || tr().failed;
  return tr().failed;
}
function alertBox(text) {
  return el('p', { class: 'error', role: 'alert', id: 'problem', text });
}

langButton.addEventListener('click', () => {
  state.lang = state.lang === 'vi' ? 'en' : 'vi';
  keep();
  draw();
});

// ---------------------------------------------------------------------------
// Read-aloud: the browser's own voices, hidden where none speaks the language.

function voiceFor(lang) {
  if (!('speechSynthesis' in self)) return null;
  return speechSynthesis.getVoices().find((v) => v.lang?.toLowerCase().startsWith(lang)) || null;
}
/// A loudspeaker drawn, not an emoji: every phone shows the same one.
function speakerIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const part = (tag, attrs) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const svg = part('svg', { viewBox: '0 0 24 24', width: '24', height: '24', 'aria-hidden': 'true', focusable: 'false' });
  svg.append(
    part('path', { d: 'M3 9v6h4l5 4V5L7 9H3z', fill: 'currentColor' }),
    part('path', { d: 'M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12', fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round' }),
  );
  return svg;
}
/// `lang`: the language the words are in (a survey's questions stay in the
/// language the child joined in, whatever the buttons are in).
function speakButton(text, name, lang = state.lang) {
  const voice = voiceFor(lang);
  if (!voice) return null;
  return el('button', {
    type: 'button', class: 'speak', 'data-speak': '', 'aria-label': name || null,
    onclick: () => {
      speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = voice.lang;
      u.voice = voice;
      speechSynthesis.speak(u);
    },
  }, speakerIcon(), el('span', { text: tr().listen }));
}
if ('speechSynthesis' in self) speechSynthesis.addEventListener?.('voiceschanged', () => draw());

// ---------------------------------------------------------------------------
// Joining

/// `closed`: the session the child tried to join again has ended, so the
/// answers waiting on the phone can no longer be sent.
function joinScreen(error, closed = false) {
  const w = tr();
  const draft = state.draft || {};
  const code = el('input', { id: 'code', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', required: true, 'aria-describedby': 'code-hint' });
  code.value = state.prefill || draft.join_code || '';
  const age = el('select', { id: 'age', required: true }, el('option', { value: '', text: '—' }));
  for (let a = 6; a <= 17; a += 1) age.append(el('option', { value: String(a), text: String(a) }));
  age.value = draft.age ? String(draft.age) : '';
  const grade = el('select', { id: 'grade' }, el('option', { value: '', text: '—' }));
  for (let g = 1; g <= 12; g += 1) grade.append(el('option', { value: String(g), text: String(g) }));
  grade.value = draft.grade ? String(draft.grade) : '';
  const genders = el('div', { class: 'choices' });
  for (const [value, label] of [['girl', w.girl], ['boy', w.boy], ['other', w.otherGender], ['prefer_not_to_say', w.preferNot]]) {
    genders.append(el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'gender', value, checked: draft.gender === value ? true : null }), el('span', { text: label })));
  }
  const form = el('form', { novalidate: true },
    el('h1', { text: w.joinTitle }),
    error ? alertBox(error) : null,
    state.waiting && !closed ? el('p', { class: 'notice', role: 'status', id: 'still-saved', text: w.expired }) : null,
    state.waiting && closed ? el('div', { class: 'notice', id: 'closed-waiting' },
      el('p', { text: w.closedWaiting }),
      el('button', { type: 'button', class: 'secondary warn', id: 'clear', text: w.clear, onclick: () => ask('clear') })) : null,
    me ? welcomeBack() : null,
    el('p', { text: w.joinIntro }),
    el('label', { for: 'code', text: w.code }), code,
    el('p', { id: 'code-hint', class: 'hint', text: w.codeHint }),
    el('label', { for: 'age', text: w.age }), age,
    el('label', { for: 'grade', text: w.grade }), grade,
    el('fieldset', {}, el('legend', { text: w.gender }), genders),
    el('div', { class: 'nav' }, el('span'), el('button', { type: 'submit', id: 'continue', text: w.continue })),
  );
  const typed = () => ({
    join_code: code.value.trim(),
    age: Number(age.value) || 0,
    grade: grade.value ? Number(grade.value) : null,
    gender: form.querySelector('input[name=gender]:checked')?.value || null,
  });
  // What the child typed survives a redraw (another language, a voice
  // arriving) and counts for the idle time of a shared device.
  const typing = () => {
    state.draft = typed();
    state.prefill = undefined;
    idlePolicy();
  };
  form.addEventListener('input', typing);
  form.addEventListener('change', typing);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const draft = typed();
    const button = form.querySelector('#continue');
    button.disabled = true;
    state.draft = draft;
    try {
      // What this child is asked to agree to: the survey's own words for
      // their age band (the API answers the service's where it has none).
      const asked = await api.assent({ join_code: draft.join_code, age: draft.age, language: state.lang }, state.lang);
      state.asked = asked;
      state.stage = 'assent';
      state.prefill = undefined;
      keep();
      draw();
    } catch (e) {
      state.prefill = code.value;
      const closed = e instanceof api.ApiError && e.problem.code === 'session_closed';
      show(joinScreen(navigator.onLine === false ? tr().offline : problem(e), closed));
      document.getElementById('problem')?.focus();
    }
  });
  return form;
}

// The assent: the survey's words for the child's band, in the language the
// child reads (both came with the answer, so switching needs no network).
function assentScreen(error) {
  const w = tr();
  const asked = state.asked;
  const wording = asked.assent[state.lang] || asked.assent.vi;
  const assent = el('input', { type: 'checkbox', id: 'assent', required: true });
  const form = el('form', { novalidate: true },
    el('p', { class: 'step', text: asked.title[state.lang] || asked.title.vi }),
    el('h1', { text: w.assentTitle }),
    error ? alertBox(error) : null,
    el('p', { text: w.assentIntro }),
    el('label', { class: 'choice assent', for: 'assent' }, assent, el('span', { id: 'assent-text', 'data-band': asked.age_band, text: wording })),
    speakButton(wording),
    el('div', { class: 'nav' },
      el('button', { type: 'button', class: 'secondary', id: 'back', text: w.back, onclick: () => go('join') }),
      el('button', { type: 'submit', id: 'start', text: w.start })),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('#start');
    button.disabled = true;
    // Answers waiting since the time to answer ran out are sent as the same
    // child (the participant token) with the same Idempotency-Key: stored
    // once, whether or not an earlier try got through.
    const waiting = state.waiting ? state : null;
    const body = { ...state.draft, language: state.lang, assent: assent.checked, participant_token: me?.participant || waiting?.participant || null };
    try {
      const joined = await api.join(body, state.lang);
      const same = waiting && sameQuestions(waiting.survey, joined.survey);
      state = {
        lang: state.lang, stage: 'answer', token: joined.respondent_token, participant: joined.participant_token,
        survey: joined.survey, surveyLang: state.lang, draft: state.draft, answers: same ? waiting.answers : {}, index: 0,
      };
      if (same) {
        state.index = shown().length - 1;
        state.key = waiting.key;
        state.pending = waiting.pending;
        state.note = 'stillHere';
      }
      if (me) { me.participant = joined.participant_token; store.saveMe(me); }
      keep();
      draw();
    } catch (e) {
      // A phone whose child was erased: it no longer knows them.
      if (e instanceof api.ApiError && e.problem.code === 'participant_erased') forget();
      show(assentScreen(navigator.onLine === false ? tr().offline : problem(e)));
      document.getElementById('problem')?.focus();
    }
  });
  return form;
}

// ---------------------------------------------------------------------------
// Answering

function shown() {
  return state.survey.questions.filter((q) => visible(q, state.answers));
}

function answerScreen(error) {
  const w = tr();
  const qs = shown();
  state.index = Math.min(state.index, qs.length - 1);
  const q = qs[state.index];
  const speak = (text, name) => speakButton(text, name, state.surveyLang || state.lang);
  const { node, read } = render(q, state.answers[q.key], w, state.survey.age_band, speak);
  const last = state.index === qs.length - 1;
  const store = () => {
    const v = read();
    if (v === undefined) delete state.answers[q.key];
    else state.answers[q.key] = v;
    keep();
  };
  const progress = Math.round(((state.index + 1) / qs.length) * 100);
  const form = el('form', { novalidate: true },
    el('p', { class: 'step', text: w.question(state.index + 1, qs.length) }),
    el('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(progress), 'aria-label': w.question(state.index + 1, qs.length) },
      el('div', { style: null, 'data-width': String(progress) })),
    error ? alertBox(error) : null,
    !error && state.note ? el('p', { class: 'notice', role: 'status', id: 'note', text: w[state.note] }) : null,
    node,
    el('div', { class: 'nav' },
      state.index > 0 ? el('button', { type: 'button', class: 'secondary', id: 'back', text: w.back, onclick: () => { store(); state.index -= 1; keep(); draw(); } }) : el('span'),
      el('button', { type: 'submit', id: 'next', text: last ? w.send : w.next })),
  );
  form.querySelector('[data-width]').style.width = `${progress}%`;
  // A screen reader hears where the child is, once per question reached.
  const step = `${state.index + 1}/${qs.length}`;
  if (step !== lastStep) { lastStep = step; announce(w.question(state.index + 1, qs.length)); }
  form.addEventListener('change', store);
  form.addEventListener('input', store);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    store();
    if (q.required && state.answers[q.key] === undefined) {
      show(answerScreen(w.required));
      document.getElementById('problem')?.focus();
      return;
    }
    if (last) {
      send();
    } else {
      state.index += 1;
      keep();
      draw();
    }
  });
  return form;
}

// ---------------------------------------------------------------------------
// Sending: exactly once, however often it is tried.

// One try at a time: the connection coming back, the retry timer and the
// child's tap may all ask at once.
let inFlight = false;

async function send() {
  if (inFlight) return;
  inFlight = true;
  clearTimeout(retryTimer);
  // Answers to questions hidden by a later change are not sent.
  const names = new Set(shown().map((q) => q.key));
  const answers = Object.fromEntries(Object.entries(state.answers).filter(([k]) => names.has(k)));
  // One key for one set of answers: a retry of the same answers carries
  // the same key (so the service stores them once), changed answers a new one.
  if (!state.key || JSON.stringify(state.pending) !== JSON.stringify(answers)) state.key = crypto.randomUUID();
  state.stage = 'sending';
  state.pending = answers;
  state.note = undefined;
  keep();
  draw();
  try {
    const receipt = await api.submit(state.token, answers, state.key, state.lang);
    clearTimeout(retryTimer);
    const title = state.survey?.title || null;
    state = {
      lang: state.lang, stage: 'done', token: state.token, participant: state.participant,
      takesIssues: !!state.survey?.takes_issues,
      receipt: receipt.receipt_code, support: receipt.support || null,
      held: { [receipt.receipt_code]: { id: receipt.id, title } },
    };
    keepReceipt(receipt.receipt_code, 'response', receipt.id, title);
    keep();
    draw();
    announce(tr().thanks);
  } catch (e) {
    const transient = !(e instanceof api.ApiError) || e.status >= 500 || e.status === 429;
    if (transient) {
      draw();
      announce(tr().saved);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(send, state.retryIn = Math.min((state.retryIn || 2000) * 2, 60000));
    } else if (e.status === 401) {
      // The time to answer ran out (the respondent token expired): the
      // answers stay on the phone, with their key, until the child joins
      // again and they are sent.
      state.stage = 'expired';
      state.waiting = true;
      state.retryIn = undefined;
      keep();
      draw();
      document.getElementById('expired')?.focus();
    } else {
      // Refused (a 409 included: answered already, the session closed):
      // the answers and their key stay, the child reads why.
      state.stage = 'answer';
      state.retryIn = undefined;
      keep();
      show(answerScreen(problem(e)));
      document.getElementById('problem')?.focus();
    }
  } finally {
    inFlight = false;
  }
}
addEventListener('online', () => { if (state.stage === 'sending') send(); });

function sameQuestions(a, b) {
  const keys = (s) => JSON.stringify((s?.questions || []).map((q) => q.key));
  return !!a && !!b && keys(a) === keys(b);
}

/// The time to answer ran out before the answers reached the service.
function expiredScreen() {
  const w = tr();
  return el('div', {},
    el('h1', { text: w.expiredTitle }),
    el('p', { class: 'notice', role: 'alert', id: 'expired', tabindex: '-1', text: w.expired }),
    el('div', { class: 'nav' },
      el('button', { type: 'button', class: 'secondary warn', id: 'clear', text: w.clear, onclick: () => ask('clear') }),
      el('button', { type: 'button', id: 'rejoin', text: w.rejoin, onclick: () => { state.stage = 'join'; keep(); draw(); } })));
}

function sendingScreen() {
  const w = tr();
  const waiting = navigator.onLine === false || state.retryIn;
  return el('div', {},
    el('h1', { text: waiting ? w.savedTitle : w.sending }),
    el('p', { class: 'notice', role: 'status', id: 'saved', text: waiting ? w.saved : w.sendingText }));
}

// ---------------------------------------------------------------------------
// Done

function doneScreen(error) {
  const w = tr();
  const note = error || (state.note ? w[state.note] : null);
  const support = state.support
    ? el('div', { class: 'support', role: 'note', id: 'support' },
      el('p', { text: state.support.message }),
      el('a', { href: `tel:${state.support.hotline}`, text: `\u260E ${w.supportCall}` }))
    : null;
  const box = el('div', {},
    el('h1', { text: w.thanks }),
    support,
    note ? el('p', { class: 'notice', role: 'status', text: note }) : null,
    state.receipt ? el('p', { text: w.receiptIntro }) : null,
    state.receipt ? el('p', { class: 'receipt', id: 'receipt', text: state.receipt }) : null,
    state.receipt ? copyButton(state.receipt) : null,
    state.receipt ? el('p', { class: 'hint', text: w.receiptKeep }) : null,
    el('div', { class: 'nav' },
      state.receipt ? el('button', { type: 'button', class: 'secondary warn', id: 'withdraw', text: w.withdraw, onclick: () => ask('withdraw') }) : el('span'),
      el('button', { type: 'button', id: 'clear', text: w.clear, onclick: clearDevice })),
    el('h2', { text: w.more }),
    el('div', { class: 'choices' },
      // Offered only where the survey takes issues (the API would refuse).
      state.token && state.takesIssues ? el('button', { type: 'button', class: 'secondary', id: 'to-raise', text: w.raise, onclick: () => go('raise') }) : null,
      el('button', { type: 'button', class: 'secondary', id: 'to-others', text: w.others, onclick: () => go('others') }),
      el('button', { type: 'button', class: 'secondary', id: 'to-feed', text: w.youSaid, onclick: () => go('feed') }),
      el('button', { type: 'button', class: 'secondary', id: 'to-results', text: w.results, onclick: () => go('results') }),
      who() ? el('button', { type: 'button', class: 'secondary', id: 'to-mine', text: w.myData, onclick: () => go('mine') }) : null,
      kept().length ? statusButton() : null,
      me ? el('button', { type: 'button', class: 'secondary', id: 'another', text: w.another, onclick: another }) : null),
    rememberBox());
  return box;
}

/// Copies the receipt code, where the browser lets a page write to the
/// clipboard (hidden otherwise: the code is there to write down).
function copyButton(code) {
  if (!navigator.clipboard?.writeText) return null;
  const w = tr();
  return el('p', {}, el('button', { type: 'button', class: 'secondary', id: 'copy', text: w.copy, onclick: () => {
    navigator.clipboard.writeText(code).then(() => announce(w.copied), () => announce(w.failed));
  } }));
}

// ---------------------------------------------------------------------------
// Remembered, only when a child on their own phone asks: the participant
// token (which opens "my data" without a session and makes the child count
// once) and the receipts, kept for the next visit until the child says
// "forget me" or the device is cleared.

/// The token that opens "my data": the remembered one, else this visit's.
function who() {
  return me?.participant || state.participant || state.token || null;
}

/// `id`: the answers' or issue's id, which "my data" matches with the
/// export; `title`: the survey's, for answers.
function keepReceipt(code, kind, id, title) {
  if (!me) return;
  me.receipts = [...(me.receipts || []).filter((r) => r.code !== code), { code, kind, id, title }];
  store.saveMe(me);
}
function dropReceipt(code) {
  if (state.receipt === code) state.receipt = null;
  state.issues = (state.issues || []).filter((c) => c !== code);
  if (me) { me.receipts = (me.receipts || []).filter((r) => r.code !== code); store.saveMe(me); }
}

function rememberMe() {
  me = {
    participant: state.participant || null,
    receipts: kept().map(({ code, kind, id, title }) => ({ code, kind, id, title })),
    seen: { ...(state.seen || {}) },
  };
  store.saveMe(me);
  disarmIdle();
  draw();
  announce(tr().remembered);
}

function forget() {
  me = null;
  store.forgetMe();
}

function forgetMe() {
  forget();
  draw();
  announce(tr().forgotten);
}

function rememberBox() {
  const w = tr();
  if (!store.canKeep) return null;
  if (me) {
    return el('section', { class: 'notice', id: 'remember-box', 'aria-labelledby': 'remember-title' },
      el('h2', { id: 'remember-title', text: w.welcomeBack }),
      el('p', { text: w.remembered }),
      el('button', { type: 'button', class: 'secondary', id: 'forget', text: w.forget, onclick: forgetMe }));
  }
  if (!state.participant) return null;
  return el('section', { class: 'notice', id: 'remember-box', 'aria-labelledby': 'remember-title' },
    el('h2', { id: 'remember-title', text: w.ownPhone }),
    el('p', { id: 'remember-why', text: w.rememberWhy }),
    el('button', { type: 'button', class: 'secondary', id: 'remember', 'aria-describedby': 'remember-why', text: w.remember, onclick: rememberMe }));
}

/// On the join screen of a phone that remembers its child.
function welcomeBack() {
  const w = tr();
  return el('section', { class: 'notice', id: 'welcome', 'aria-labelledby': 'welcome-title' },
    el('h2', { id: 'welcome-title', text: w.welcomeBack }),
    el('p', { text: w.welcomeBackIntro }),
    el('div', { class: 'choices' },
      el('button', { type: 'button', class: 'secondary', id: 'to-mine', text: w.myData, onclick: () => go('mine') }),
      kept().length ? statusButton() : null,
      el('button', { type: 'button', class: 'secondary', id: 'forget', text: w.forget, onclick: forgetMe })));
}

/// A remembered child answers another survey: this visit ends, what is
/// remembered stays.
function another() {
  disarmIdle();
  state = { stage: 'join', lang: state.lang };
  keep();
  draw();
}

async function withdraw() {
  try {
    await api.withdraw(state.receipt);
    dropReceipt(state.receipt);
    state.note = 'withdrawn';
    keep();
    draw();
  } catch (e) {
    draw();
    show(doneScreen(problem(e)));
  }
}

/// What may be asked "are you sure?" about: its words and what "yes" does.
const confirmations = {
  withdraw: (w) => [w.withdrawAsk, w.withdrawAskText, w.withdrawYes, withdraw],
  withdrawHeld: (w, c) => [w.withdrawAsk, w.withdrawAskText, w.withdrawYes, () => withdrawHeld(c.code, 'response')],
  withdrawIssue: (w, c) => [w.withdrawIssueAsk, w.withdrawIssueText, w.withdrawYes, () => withdrawHeld(c.code, 'issue')],
  erase: (w) => [w.eraseAsk, w.eraseAskText, w.eraseYes, eraseAll],
  clear: (w) => [w.clearAsk, w.clearAskText, w.clearYes, clearDevice],
};

/// Asks "are you sure?" over the screen the child is on: the question is
/// part of the state, so another language redraws the same question, and
/// "no" goes back to the screen behind it.
function ask(what, code) {
  state.confirm = { what, code };
  keep();
  draw();
  document.getElementById('confirm-no')?.focus();
}

/// "Are you sure?", in the child's words, before what cannot be undone:
/// "no" (the first button, and the one focused) goes back unchanged.
function confirmScreen() {
  const w = tr();
  const c = state.confirm;
  const [title, text, yes, onYes] = confirmations[c.what](w, c);
  const back = () => { state.confirm = undefined; keep(); draw(); };
  return el('div', { class: 'confirm' },
    el('h1', { id: 'confirm-title', text: title }),
    el('p', { id: 'confirm-text', text }),
    el('div', { class: 'nav' },
      el('button', { type: 'button', class: 'secondary', id: 'confirm-no', text: w.keepIt, onclick: back }),
      el('button', { type: 'button', class: 'danger', id: 'confirm-yes', text: yes, onclick: (ev) => {
        ev.currentTarget.disabled = true;
        state.confirm = undefined;
        keep();
        onYes();
      } })));
}

async function clearDevice() {
  disarmIdle();
  clearTimeout(retryTimer);
  const lang = state.lang;
  me = null;
  state = { stage: 'join', lang };
  await store.clear();
  draw();
  announce(tr().cleared);
}

// ---------------------------------------------------------------------------
// After answering: raising an issue, supporting others', what became of
// what children said, and the child's own data.

function go(stage) {
  // Where "back" returns: the join screen or the receipt's.
  if (state.stage === 'join' || state.stage === 'done') state.home = state.stage;
  state.stage = stage;
  state.note = undefined;
  state.sentIssue = undefined;
  keep();
  draw();
}
const homeButton = () => el('button', { type: 'button', class: 'secondary', id: 'home', text: tr().home, onclick: () => go(state.home || 'done') });

function raiseScreen(error, sent) {
  const w = tr();
  if (sent) {
    return el('div', {},
      el('h1', { text: w.thanks }),
      sent.support ? el('div', { class: 'support', role: 'note', id: 'support' },
        el('p', { text: sent.support.message }),
        el('a', { href: `tel:${sent.support.hotline}`, text: `\u260E ${w.supportCall}` })) : null,
      el('p', { text: w.issueSent }),
      el('p', { class: 'receipt', id: 'issue-receipt', text: sent.receipt_code }),
      el('div', { class: 'nav' }, homeButton()));
  }
  const title = el('input', { type: 'text', id: 'issue-title', maxlength: 200, required: true });
  const body = el('textarea', { id: 'issue-body', maxlength: 2000, 'aria-describedby': 'issue-hint' });
  title.value = state.issueDraft?.title || '';
  body.value = state.issueDraft?.body || '';
  const form = el('form', { novalidate: true },
    el('h1', { text: w.raise }),
    error ? alertBox(error) : null,
    el('label', { for: 'issue-title', text: w.issueTitle }), title,
    el('label', { for: 'issue-body', text: w.issueBody }), body,
    el('p', { id: 'issue-hint', class: 'hint', text: w.textReminder }),
    el('div', { class: 'nav' }, homeButton(), el('button', { type: 'submit', id: 'issue-send', text: w.issueSend })));
  form.addEventListener('input', () => { state.issueDraft = { title: title.value, body: body.value }; });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    state.issueKey = state.issueKey || crypto.randomUUID();
    keep();
    try {
      const r = await api.raiseIssue(state.token, { title: title.value, body: body.value }, state.issueKey, state.lang);
      state.issueKey = null;
      state.issueDraft = undefined;
      state.issues = [...(state.issues || []), r.receipt_code];
      state.held = { ...(state.held || {}), [r.receipt_code]: { id: r.id } };
      keepReceipt(r.receipt_code, 'issue', r.id);
      // Part of the drawn state: another language shows the same receipt.
      state.sentIssue = { receipt_code: r.receipt_code, support: r.support || null };
      keep();
      draw();
    } catch (e) {
      show(raiseScreen(problem(e)));
      document.getElementById('problem')?.focus();
    }
  });
  return form;
}

// Public results as simple charts (results.js, loaded only when asked).
function resultsScreen() {
  const box = loading(tr().results);
  import('./results.js')
    .then((m) => m.show(box, { lang: state.lang, home: homeButton(), focus: () => main.focus({ preventScroll: true }) }))
    .catch(() => box.replaceChildren(el('h1', { text: tr().results }), alertBox(tr().failed), homeButton()));
  return box;
}

function loading(title) {
  return el('div', {}, el('h1', { text: title }), el('p', { role: 'status', text: tr().sending }));
}

function othersScreen() {
  const w = tr();
  api.publicIssues(state.lang).then((page) => {
    const list = el('ul', { class: 'ranking', id: 'others' });
    for (const i of page.items) {
      const count = el('span', { class: 'hint', text: w.supports(i.supports) });
      const button = state.token
        ? el('button', { type: 'button', class: 'secondary', 'data-issue': i.id, text: w.meToo, onclick: async () => {
          try {
            await api.support(state.token, i.id, state.lang);
            button.replaceWith(el('span', { role: 'status', text: w.supported }));
          } catch (e) {
            button.replaceWith(el('span', { class: 'error', role: 'alert', text: problem(e) }));
          }
        } })
        : null;
      list.append(el('li', {}, el('span', {}, el('strong', { text: i.title }), count), button));
    }
    show(el('div', {}, el('h1', { text: w.others }), page.items.length ? list : el('p', { text: w.nothingYet }), el('div', { class: 'nav' }, homeButton())));
  }).catch((e) => show(el('div', {}, el('h1', { text: w.others }), alertBox(problem(e)), homeButton())));
  return loading(w.others);
}

function feedScreen() {
  const w = tr();
  api.feed(state.lang).then((page) => {
    const list = el('ul', { class: 'ranking', id: 'feed' });
    for (const r of page.items) {
      const answers = (r.answers || []).map((a) => el('p', { class: 'hint', text: `${a.agency}: ${a.reply || (a.stance ? w.answered : w.waiting)}` }));
      list.append(el('li', {}, el('span', {}, el('strong', { text: r.title }), el('p', { text: r.child_summary || '' }), ...answers)));
    }
    show(el('div', {}, el('h1', { text: w.youSaid }), page.items.length ? list : el('p', { text: w.nothingYet }), el('div', { class: 'nav' }, homeButton())));
  }).catch((e) => show(el('div', {}, el('h1', { text: w.youSaid }), alertBox(problem(e)), homeButton())));
  return loading(w.youSaid);
}

function mineError(e) {
  show(el('div', {}, el('h1', { text: tr().myData }), alertBox(problem(e)), homeButton()));
}

/// After erasing: the child's data is gone, and so is their token.
function erasedScreen() {
  const w = tr();
  return el('div', {}, el('h1', { text: w.myData }), el('p', { class: 'notice', role: 'status', id: 'erased', text: w.erased }), el('div', { class: 'nav' }, homeButton()));
}

function day(at) {
  return new Date(at).toLocaleDateString(state.lang === 'en' ? 'en-GB' : 'vi-VN', { day: 'numeric', month: 'long', year: 'numeric' });
}

/// One answer or issue held under the child's pseudonym, with "take it
/// back" where this device keeps its receipt (the receipt is the only key).
function heldItem(kind, item, receipt) {
  const w = tr();
  const gone = kind === 'response' ? !!item.withdrawn_at : item.status === 'withdrawn';
  // An issue whose words went to the child-protection officer is held
  // under a marker, not the child's words: say kindly where they went.
  const title = kind === 'response' ? (receipt?.title || w.aSurvey)
    : gone ? w.myIssue : item.status === 'withheld' ? w.passedOn : item.title;
  const when = kind === 'response' ? item.submitted_at : item.created_at;
  const button = receipt && !gone
    ? el('button', { type: 'button', class: 'secondary warn', 'data-withdraw': receipt.code, text: w.withdrawOne,
      'aria-label': `${w.withdrawOne}: ${title}`,
      onclick: () => ask(kind === 'response' ? 'withdrawHeld' : 'withdrawIssue', receipt.code) })
    : null;
  return el('li', { 'data-id': item.id },
    el('span', {}, el('strong', { text: title }), el('span', { class: 'hint', text: `${w.sentOn(day(when))}${gone ? ` — ${w.takenBack}` : ''}` })),
    button);
}

async function withdrawHeld(code, kind) {
  try {
    if (kind === 'response') await api.withdraw(code);
    else await api.withdrawIssue(code);
    dropReceipt(code);
    state.note = kind === 'response' ? 'withdrawn' : 'issueWithdrawn';
    keep();
    draw();
  } catch (e) {
    mineError(e);
  }
}

/// The copy of "my data" made for download, let go once it is replaced or erased.
let mineCopy = null;

async function eraseAll() {
  if (mineCopy) URL.revokeObjectURL(mineCopy);
  mineCopy = null;
  try {
    await api.eraseMine(who(), state.lang);
    state.token = null;
    state.participant = null;
    state.receipt = null;
    state.issues = [];
    state.held = {};
    forget();
    state.note = 'erased';
    keep();
    draw();
  } catch (e) {
    mineError(e);
  }
}

function mineScreen() {
  const w = tr();
  api.exportMine(who(), state.lang).then((mine) => {
    // The child's own copy, made on the phone from what the API answered:
    // nothing else is asked of the server, and the copy goes nowhere else.
    if (mineCopy) URL.revokeObjectURL(mineCopy);
    const copy = mineCopy = URL.createObjectURL(new Blob([JSON.stringify(mine, null, 2)], { type: 'application/json' }));
    const download = el('a', { class: 'button', id: 'download', href: copy, download: 'lang-nghe-du-lieu-cua-em.json', text: w.download });
    const erase = el('button', { type: 'button', class: 'secondary warn', id: 'erase', text: w.erase, onclick: () => ask('erase') });
    // The receipts this device keeps, by the id the export gives.
    const byId = new Map(kept().filter((r) => r.id).map((r) => [r.id, r]));
    const answers = mine.responses.map((r) => heldItem('response', r, byId.get(r.id)));
    const issues = mine.issues.map((i) => heldItem('issue', i, byId.get(i.id)));
    show(el('div', {},
      el('h1', { text: w.myData }),
      state.note ? el('p', { class: 'notice', role: 'status', id: 'note', text: w[state.note] }) : null,
      el('p', { text: w.myDataIntro }),
      el('ul', { id: 'held' }, el('li', { text: w.answersHeld(mine.responses.length) }), el('li', { text: w.issuesHeld(mine.issues.length) })),
      answers.length ? el('h2', { text: w.myAnswers }) : null,
      answers.length ? el('ul', { class: 'ranking', id: 'held-answers' }, ...answers) : null,
      issues.length ? el('h2', { text: w.myIssues }) : null,
      issues.length ? el('ul', { class: 'ranking', id: 'held-issues' }, ...issues) : null,
      el('p', {}, download),
      el('div', { class: 'nav' }, homeButton(), erase)));
  }).catch(mineError);
  return loading(w.myData);
}

// ---------------------------------------------------------------------------
// What became of what I said: the receipts kept on this device, each asked
// for its status (the receipt is the only key), with a gentle badge when
// something changed since the child last looked.

function kept() {
  const held = state.held || {};
  const here = [
    ...(state.receipt ? [{ code: state.receipt, kind: 'response', ...held[state.receipt] }] : []),
    ...(state.issues || []).map((code) => ({ code, kind: 'issue', ...held[code] })),
  ];
  const earlier = (me?.receipts || []).filter((r) => !here.some((h) => h.code === r.code));
  return [...earlier, ...here];
}
function seen() {
  if (me) return (me.seen = me.seen || {});
  return (state.seen = state.seen || {});
}
function keepSeen() {
  if (me) store.saveMe(me);
  keep();
}
function fingerprint(s) {
  const text = JSON.stringify([s.stage, s.recommendations]);
  let h = 5381;
  for (let i = 0; i < text.length; i += 1) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
async function statuses() {
  const out = [];
  for (const r of kept()) {
    try {
      out.push({ ...r, status: await api.receiptStatus(r.code, state.lang) });
    } catch (e) {
      out.push({ ...r, gone: e instanceof api.ApiError && e.status === 404, failed: true });
    }
  }
  return out;
}
function changed(r) {
  if (!r.status) return false;
  const now = fingerprint(r.status);
  // The first look only remembers: the child knows it was received.
  if (seen()[r.code] === undefined) { seen()[r.code] = now; keepSeen(); return false; }
  return seen()[r.code] !== now;
}
function statusButton() {
  const w = tr();
  const badge = el('span', { class: 'badge', id: 'badge', hidden: true, text: w.changedBadge });
  const button = el('button', { type: 'button', class: 'secondary', id: 'to-status', onclick: () => go('status') }, el('span', { text: w.becameOf }), badge);
  statuses().then((list) => { if (list.some(changed)) badge.hidden = false; }).catch(() => {});
  return button;
}
function recommendationNode(rec) {
  const w = tr();
  const answers = rec.answers.map((a) => el('div', { class: 'answer' },
    el('p', {}, el('strong', { text: a.agency }), ` ${a.stance_words}.`),
    a.reply ? el('p', { text: `“${a.reply}”` }) : null,
    a.promises.length ? el('ul', {}, ...a.promises.map((p) => el('li', {},
      `${p.text}: `, el('strong', { text: p.status_words }), p.note ? ` — ${p.note}` : ''))) : null));
  return el('div', { class: 'rec' },
    el('h3', { text: `${w.recommendation}: ${rec.title}` }),
    el('p', { text: rec.child_summary }),
    ...answers);
}
function statusScreen() {
  const w = tr();
  statuses().then((list) => {
    const items = list.map((r) => {
      const isNew = changed(r);
      if (r.status) { seen()[r.code] = fingerprint(r.status); }
      const title = r.kind === 'issue' ? w.myIssue : w.myAnswers;
      return el('li', { class: 'status', 'data-receipt': r.code, 'data-stage': r.status?.stage || (r.gone ? 'gone' : 'unknown') },
        el('h2', {}, title, isNew ? el('span', { class: 'badge', text: w.changedBadge }) : null),
        el('p', { class: 'hint', text: `${w.receiptLabel} ${r.code}` }),
        el('p', { text: r.status ? r.status.message : (r.gone ? w.receiptGone : w.failed) }),
        ...(r.status?.recommendations || []).map(recommendationNode));
    });
    // Receipts the service no longer knows (taken back, erased) leave the device.
    const gone = new Set(list.filter((r) => r.gone).map((r) => r.code));
    if (gone.has(state.receipt)) state.receipt = null;
    state.issues = (state.issues || []).filter((c) => !gone.has(c));
    if (me) me.receipts = (me.receipts || []).filter((r) => !gone.has(r.code));
    keepSeen();
    show(el('div', {}, el('h1', { text: w.becameOf }), el('ul', { class: 'statuses', id: 'statuses' }, ...items), el('div', { class: 'nav' }, homeButton())));
  }).catch((e) => show(el('div', {}, el('h1', { text: w.becameOf }), alertBox(problem(e)), homeButton())));
  return loading(w.becameOf);
}

// ---------------------------------------------------------------------------

function draw() {
  document.documentElement.lang = state.lang;
  langButton.textContent = tr().other;
  langButton.lang = state.lang === 'vi' ? 'en' : 'vi';
  const screens = {
    join: () => joinScreen(), assent: () => (state.asked ? assentScreen() : joinScreen()), answer: () => answerScreen(), sending: sendingScreen,
    expired: expiredScreen, done: () => doneScreen(), raise: () => raiseScreen(null, state.sentIssue), others: othersScreen, feed: feedScreen,
    mine: () => (state.note === 'erased' ? erasedScreen() : mineScreen()), status: statusScreen, results: resultsScreen,
  };
  idlePolicy();
  const asked = state.confirm && confirmations[state.confirm.what];
  const screen = asked ? confirmScreen() : (screens[state.stage] || joinScreen)();
  const warnings = [];
  if (!store.canKeep && state.stage === 'answer') warnings.push(el('p', { class: 'notice', text: tr().noStorage }));
  show(...warnings, screen);
}

draw();
if (state.stage === 'sending') send();
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {});
