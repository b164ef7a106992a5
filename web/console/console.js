// The staff console: sign-in, the navigation each role may use, and a
// small hash router. Every screen is a client of the JSON API.
import * as api from './api.js';
import { h } from '/shared/dom.js';
import { t, current, setLanguage } from './i18n.js';
import * as sessions from './sessions.js';
import * as issues from './issues.js';
import * as safeguarding from './safeguarding.js';
import * as agency from './agency.js';
import * as recommendations from './recommendations.js';
import * as results from './results.js';
import * as progress from './progress.js';
import * as admin from './admin.js';
import * as events from './events.js';
import * as answers from './answers.js';
import * as surveys from './surveys.js';
import './more_words.js';

// Who may use what, as the API decides it (crates/api/src/auth.rs).
const SCREENS = [
  { path: 'sessions', label: 'navSessions', roles: ['facilitator', 'admin'], module: sessions },
  { path: 'issues', label: 'navIssues', roles: ['moderator', 'admin'], module: issues },
  { path: 'recs', label: 'navRecs', roles: ['moderator', 'admin'], module: recommendations },
  { path: 'answers', label: 'navAnswers', roles: ['moderator', 'admin'], module: answers },
  { path: 'events', label: 'navEvents', roles: ['facilitator', 'moderator', 'admin'], module: events },
  { path: 'cases', label: 'navCases', roles: ['safeguarding_officer'], module: safeguarding },
  { path: 'inbox', label: 'navInbox', roles: ['agency_staff'], module: agency },
  { path: 'surveys', label: 'navSurveys', roles: ['moderator', 'admin'], module: surveys },
  { path: 'results', label: 'navResults', roles: ['admin', 'moderator', 'facilitator'], module: results },
  { path: 'progress', label: 'navProgress', roles: ['admin', 'moderator', 'facilitator'], module: progress },
  { path: 'admin', label: 'navAdmin', roles: ['admin'], module: admin },
];

let me = null;
let leave = null; // the current screen's clean-up (a timer, a key handler)
const main = document.getElementById('main');

// The element builder every screen imports from here.
export { h };

export function say(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

export const user = () => me;

// The message of a failed call, for a person.
export const problem = (e) => (e instanceof api.ApiError && e.message ? e.message : t('failed'));

function chrome() {
  document.documentElement.lang = current();
  document.title = `Lắng Nghe — ${t('console')}`;
  document.getElementById('sub').textContent = t('console');
  document.querySelector('.skip').textContent = t('skip');
  const lang = document.getElementById('lang');
  lang.textContent = t('other');
  lang.lang = current() === 'vi' ? 'en' : 'vi';
  const out = document.getElementById('signout');
  out.textContent = t('signOut');
  out.hidden = !me;
  document.getElementById('me').textContent = me ? `${me.display_name || me.username} · ${t('roles')[me.role] || me.role}` : '';
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('navLabel'));
  nav.replaceChildren(...allowed().map((s) => h('a', { href: `#/${s.path}`, 'data-screen': s.path, text: t(s.label) })));
  markCurrent();
}

const allowed = () => (me ? SCREENS.filter((s) => s.roles.includes(me.role)) : []);

function markCurrent() {
  const here = location.hash.replace(/^#\//, '').split('/')[0];
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.screen === here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function signInScreen(message, bad) {
  main.replaceChildren(
    h('div', { class: 'card narrow' },
      h('h1', { text: t('signInTitle') }),
      message ? h('p', { class: bad ? 'notice bad' : 'notice', role: 'status', id: 'message', text: message }) : null,
      h('p', { class: 'muted', text: t('signInWhy') }),
      h('form', { id: 'signin', novalidate: true, onsubmit: signIn },
        h('div', { class: 'field' }, h('label', { for: 'username', text: t('username') }),
          h('input', { id: 'username', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' })),
        h('div', { class: 'field' }, h('label', { for: 'password', text: t('password') }),
          h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true })),
        h('p', { id: 'problem', class: 'error', role: 'alert' }),
        h('button', { type: 'submit', id: 'signin-button', text: t('signIn') }))));
  document.getElementById('username').focus();
}

async function signIn(ev) {
  ev.preventDefault();
  const problemEl = document.getElementById('problem');
  problemEl.textContent = '';
  try {
    me = await api.login(document.getElementById('username').value.trim(), document.getElementById('password').value);
  } catch (e) {
    problemEl.textContent = e.status === 401 ? t('badLogin') : problem(e);
    return;
  }
  const first = allowed()[0];
  if (first && location.hash !== `#/${first.path}`) location.hash = `#/${first.path}`;
  else route();
}

function signedOut(message, bad) {
  me = null;
  api.signOut();
  if (leave) { leave(); leave = null; }
  document.querySelectorAll('dialog[open]').forEach((d) => d.close());
  chrome();
  signInScreen(message, bad);
}

function route() {
  if (leave) { leave(); leave = null; }
  chrome();
  if (!me) return signInScreen();
  const [path, ...rest] = location.hash.replace(/^#\//, '').split('/');
  const screen = SCREENS.find((s) => s.path === path);
  if (!screen) {
    const mine = allowed();
    main.replaceChildren(h('div', { class: 'card' },
      h('h1', { text: `${t('home')}, ${me.display_name || me.username}` }),
      h('p', { text: mine.length ? t('homeIntro') : t('nothingHere') })));
    return;
  }
  if (!screen.roles.includes(me.role)) {
    main.replaceChildren(h('div', { class: 'card' }, h('h1', { text: t('notAllowed') })));
    return;
  }
  // Each visit draws into its own element: an answer that arrives after
  // the person has moved on lands in a detached one, never over the next
  // screen.
  const view = h('div', { class: 'view' });
  main.replaceChildren(view);
  leave = screen.module.show(view, rest) || null;
  main.focus();
}

api.whenRefused(() => signedOut(t('expired'), true));
document.getElementById('signout').addEventListener('click', () => {
  history.replaceState(null, '', location.pathname);
  signedOut(t('signedOut'));
});
document.getElementById('lang').addEventListener('click', () => {
  setLanguage(current() === 'vi' ? 'en' : 'vi');
  api.setLang(current());
  route();
});
window.addEventListener('hashchange', route);
route();
