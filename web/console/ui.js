// Small pieces the admin and event screens share: labelled fields, a list
// paged on the server ("show more"), a modal question, dates typed the
// Vietnamese way, and lists read whole (units, agencies, topics).
import * as api from './api.js';
import { h, say, problem } from './console.js';
import { t, current } from './i18n.js';

// A text in the reader's language, Vietnamese when there is no English.
export const words = (text) => (text ? text[current()] || text.vi : '');
// "2026-12-31" → "31/12/2026" and back ("" or null when it is not a date).
export const dmy = (d) => (d ? d.split('-').reverse().join('/') : '');
export const ymd = (s) => {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s || '');
  if (!m) return null;
  const iso = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? null : iso;
};

// A refusal in the API's words, with each field it names.
export function problemText(e) {
  const errors = e?.problem?.errors;
  if (Array.isArray(errors) && errors.length) return errors.map((x) => `${x.field}: ${x.message}`).join(' · ');
  return problem(e);
}

// A labelled control in a `.field`; `hint` is read with it.
export function field(id, label, control, hint) {
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), control,
    hint ? h('span', { class: 'hint muted', id: `${id}-hint`, text: hint }) : null);
}
export const input = (id, attrs = {}) => h('input', { id, type: 'text', ...attrs });
export const select = (id, options, chosen, attrs = {}) => h('select', { id, ...attrs },
  options.map(([value, text]) => h('option', { value, selected: value === chosen, text })));

// A message line that is also read out.
export function status(id) {
  const el = h('p', { id, role: 'status', class: 'status' });
  el.done = (text = t('done')) => { el.className = 'status'; el.textContent = text; say(text); };
  el.fail = (e) => { el.className = 'status error'; el.textContent = typeof e === 'string' ? e : problem(e); };
  el.clear = () => { el.textContent = ''; };
  return el;
}

// A table whose rows come from the server a page at a time: `fetch(cursor)`
// answers `{items, next_cursor}`; `row(item)` makes a `<tr>`. `reload()`
// starts again (after a filter changes), `put(item)` replaces or adds a row
// in place.
export function pagedTable({ id, caption, columns, row, fetch, empty }) {
  const body = h('tbody', { id: `${id}-rows` });
  const more = h('button', { type: 'button', class: 'secondary', id: `${id}-more`, hidden: true, text: t('more') });
  const error = h('p', { class: 'error', role: 'alert' });
  let next = null;
  let items = [];
  let generation = 0;
  const draw = () => {
    body.replaceChildren(...(items.length ? items.map((x) => row(x)) : [h('tr', {}, h('td', { colspan: columns.length, text: empty || t('none') }))]));
    more.hidden = !next;
  };
  // The table is `aria-busy` while a page is on its way.
  const load = async (again) => {
    const mine = again ? ++generation : generation;
    table.setAttribute('aria-busy', 'true');
    try {
      const page = await fetch(again ? null : next);
      if (mine !== generation) return;
      items = again ? page.items : items.concat(page.items);
      next = page.next_cursor || null;
      error.textContent = '';
      draw();
    } catch (e) { error.textContent = problem(e); }
    if (mine === generation) table.removeAttribute('aria-busy');
  };
  more.addEventListener('click', () => load(false));
  const table = h('table', { id },
    caption ? h('caption', { class: 'visually-hidden', text: caption }) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.hidden ? h('span', { class: 'visually-hidden', text: c.label }) : c.label)))),
    body);
  const el = h('div', { class: 'paged' }, table, error, h('p', {}, more));
  return {
    el,
    reload: () => load(true),
    items: () => items,
    redraw: () => draw(),
    put(item, key = 'id') {
      const i = items.findIndex((x) => x[key] === item[key]);
      if (i >= 0) items[i] = item; else items.unshift(item);
      draw();
    },
  };
}

// A modal question: `fields` are elements; `then()` may throw to keep the
// dialog open with the problem shown. Escape cancels.
export function ask(title, fields, then, ok = t('confirm')) {
  const dialog = h('dialog', { 'aria-labelledby': 'ask-title', id: 'ask' });
  const error = h('p', { class: 'error', role: 'alert', id: 'ask-error' });
  const close = () => { dialog.close(); dialog.remove(); };
  dialog.append(h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    try { await then(); close(); } catch (err) { error.textContent = problemText(err); }
  } },
  h('h2', { id: 'ask-title', text: title }), ...fields, error,
  h('p', { class: 'row' }, h('button', { type: 'submit', id: 'ask-ok', text: ok }),
    h('button', { type: 'button', class: 'secondary', id: 'ask-cancel', text: t('cancel'), onclick: close }))));
  dialog.addEventListener('cancel', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector('input, select, textarea')?.focus();
  return dialog;
}

// Every page of a list (units of a day, agencies, topics): for choosers.
export async function all(path) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 50; i += 1) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

// Units in force as `[value, label]` options, the tree's order kept
// (a parent before its children, indented by depth).
export function unitOptions(units) {
  const byParent = new Map();
  for (const u of units) {
    const k = u.parent_id || '';
    if (!byParent.has(k)) byParent.set(k, []);
    byParent.get(k).push(u);
  }
  const ids = new Set(units.map((u) => u.id));
  const out = [];
  const walk = (parent, depth) => {
    for (const u of byParent.get(parent) || []) {
      out.push([u.id, `${'\u00a0\u00a0'.repeat(depth)}${words(u.name)} (${u.code})`]);
      walk(u.id, depth + 1);
    }
  };
  walk('', 0);
  // Units whose parent is not in the list (should not happen) still show.
  for (const u of units) if (u.parent_id && !ids.has(u.parent_id)) { out.push([u.id, `${words(u.name)} (${u.code})`]); walk(u.id, 1); }
  return out;
}

// The units a signed-in person's work covers, as the API decides it
// (`Assignment::scope`): a facilitator's own unit and those below it; the
// whole tree for everyone else.
export function inScope(units, me) {
  if (!me || me.role !== 'facilitator') return units;
  const within = new Set(me.unit_id ? [me.unit_id] : []);
  for (let grew = true; grew;) {
    grew = false;
    for (const u of units) if (!within.has(u.id) && within.has(u.parent_id)) { within.add(u.id); grew = true; }
  }
  return units.filter((u) => within.has(u.id)).map((u) => (u.id === me.unit_id ? { ...u, parent_id: null } : u));
}

// The secret an answer carries, shown once with a copy button; `warning`
// says what a holder of it could do.
export function secretOnce(id, label, secret, warning = t('secretOnce')) {
  const value = h('input', { id, type: 'text', readonly: true, value: secret, class: 'secret', size: Math.min(70, secret.length + 2), spellcheck: 'false' });
  const copied = h('span', { role: 'status', class: 'muted' });
  return h('div', { class: 'notice warn', id: `${id}-box` },
    h('p', {}, h('strong', { text: warning })),
    field(id, label, value),
    h('p', { class: 'row' },
      h('button', { type: 'button', class: 'secondary', id: `${id}-copy`, text: t('copy'), onclick: async () => {
        value.select();
        try { await navigator.clipboard.writeText(secret); copied.textContent = t('copied'); } catch { copied.textContent = t('copyByHand'); }
      } }), copied));
}

// What a screen shows, read from the API; on a refusal the refusal takes the
// screen's place and this gives null.
export async function load(main, path) {
  try { return await api.get(path); } catch (e) { main.replaceChildren(h('p', { class: 'error', text: problem(e) })); return null; }
}

// What a detail screen's buttons do: post, say it is done, draw the screen
// again and leave "done" in its status line (`message`, found again by its
// id on the new screen); a refusal is written in the status line instead.
export function poster(message, redraw) {
  return async (path, body) => {
    try {
      await api.post(path, body);
      say(t('done'));
      await redraw();
      document.getElementById(message.id).textContent = t('done');
    } catch (e) { message.textContent = problem(e); }
  };
}

// The form that sets a webhook's address (its ids: `set-${id}`, `${id}-url`,
// `save-${id}`): the API answers with a new secret, shown once in
// `secretArea` (as `${id}-secret`, focused); then `reload` shows the
// address, `message` says it is set, and a refusal is written in `error`.
export function webhookForm(id, path, { secretArea, error, message, reload }) {
  return h('form', { class: 'row', id: `set-${id}`, novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const w = await api.call('PUT', path, { url: document.getElementById(`${id}-url`).value.trim() });
      secretArea.replaceChildren(secretOnce(`${id}-secret`, t('webhookSecret'), w.secret, t('hookSecretOnce')));
      await reload();
      message.done(t('webhookSet'));
      document.getElementById(`${id}-secret`).focus();
    } catch (err) { error.textContent = problemText(err); }
  } },
  field(`${id}-url`, t('webhookUrl'), input(`${id}-url`, { type: 'url', size: 50, placeholder: 'https://' }), t('webhookHint')),
  h('button', { type: 'submit', id: `save-${id}`, text: t('setWebhook') }));
}
