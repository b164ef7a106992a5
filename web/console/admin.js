// Admins: the screens that keep the service's data — accounts, the
// organisation over time, topics, agencies with their clients and
// webhooks, targets, the holiday calendar and school terms, retention,
// the safeguarding webhook with the webhook dead letters, and the audit log.
// Each is a client of the admin-only routes of the API.
import './admin_words.js';
import { h } from './console.js';
import { t } from './i18n.js';
import * as people from './admin_people.js';
import * as org from './admin_org.js';
import * as catalog from './admin_catalog.js';
import * as plan from './admin_plan.js';
import * as audit from './admin_audit.js';
import * as hooks from './admin_hooks.js';
import './extra_words.js';

const PARTS = [
  ['users', 'admUsers', people.users],
  ['units', 'admUnits', org.units],
  ['topics', 'admTopics', catalog.topics],
  ['agencies', 'admAgencies', catalog.agencies],
  ['targets', 'admTargets', plan.targets],
  ['calendar', 'admCalendar', plan.calendar],
  ['retention', 'admRetention', plan.retention],
  ['webhooks', 'admHooks', hooks.hooks],
  ['audit', 'admAudit', audit.log],
];

export function show(main, rest) {
  const [part = 'users', ...more] = rest;
  const found = PARTS.find(([p]) => p === part) || PARTS[0];
  const area = h('div', { id: 'admin-area' });
  main.replaceChildren(
    h('nav', { class: 'subnav', 'aria-label': t('admNav') },
      PARTS.map(([p, label]) => h('a', { href: `#/admin/${p}`, 'data-part': p, 'aria-current': p === found[0] ? 'page' : null, text: t(label) }))),
    area);
  // A screen may hand back its clean-up; an async one hands back a promise.
  const leave = found[2](area, more);
  return typeof leave === 'function' ? leave : null;
}
