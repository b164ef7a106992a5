// Admins: the reorganisations other than a merger into a new unit — a
// split (one unit closes, several open, one of them takes its history by
// default, its units move to them), a move (a unit changes parent on a
// day) — and a rename (a correction of names or code, for every day).
// The API checks each one and refuses it with every problem named; the
// refusal is shown as it says it.
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import { words, ymd, field, input, select, unitOptions, problemText } from './ui.js';
import './extra_words.js';

const KINDS = ['district', 'ward', 'school', 'care_centre', 'council'];

// `ctx`: { units() — the tree shown, recorded(r) — a reorganisation was
// recorded, renamed(u) — a unit was corrected }. Hands back the three
// forms and `refresh()`, called when the tree shown changes.
export function reorgForms(ctx) {
  const v = (id) => document.getElementById(id)?.value.trim() ?? '';
  const kinds = () => KINDS.map((k) => [k, t('unitKinds')[k]]);
  const options = (filter = () => true) => unitOptions(ctx.units().filter(filter));
  const fill = (el, opts, chosen) => el.replaceChildren(...opts.map(([value, text]) => h('option', { value, text, selected: value === chosen })));

  // A split: the unit, its new units (two to start with), where its own
  // units go.
  const splitUnit = select('split-unit', [], '');
  const newUnits = h('div', { id: 'split-new' });
  const children = h('fieldset', { id: 'split-children' });
  const splitError = h('p', { class: 'error', role: 'alert', id: 'split-error' });
  let count = 0;
  const newRow = () => {
    count += 1;
    const n = count;
    const row = h('fieldset', { class: 'split-row', 'data-n': n },
      h('legend', { text: t('splitNewN', n) }),
      h('div', { class: 'row' },
        field(`split-kind-${n}`, t('kind'), select(`split-kind-${n}`, kinds(), 'ward')),
        field(`split-code-${n}`, t('code'), input(`split-code-${n}`, { size: 12 })),
        field(`split-vi-${n}`, `${t('name')} (vi)`, input(`split-vi-${n}`, { size: 28 })),
        field(`split-en-${n}`, `${t('name')} (en)`, input(`split-en-${n}`, { size: 28 })),
        field(`split-parent-${n}`, t('parent'), select(`split-parent-${n}`, options(), ''))),
      h('div', { class: 'check' },
        h('input', { type: 'radio', name: 'split-default', id: `split-default-${n}`, value: String(n), checked: n === 1 }),
        h('label', { for: `split-default-${n}`, text: t('takesHistory') })));
    newUnits.append(row);
    drawChildren();
    return row;
  };
  const rows = () => [...newUnits.querySelectorAll('.split-row')].map((r) => Number(r.dataset.n));
  // Each unit under the one split goes to one of the new units.
  function drawChildren() {
    const here = splitUnit.value;
    const kids = ctx.units().filter((u) => here && u.parent_id === here);
    const targets = rows().map((n) => [`n${n}`, t('splitNewN', n)]);
    children.replaceChildren(h('legend', { text: t('splitChildren') }),
      kids.length ? h('div', { class: 'row' }, kids.map((u) => field(`split-child-${u.id}`, `${words(u.name)} (${u.code})`,
        select(`split-child-${u.id}`, targets, targets[0]?.[0], { 'data-unit': u.id, class: 'split-child' }))))
        : h('p', { class: 'muted', text: t('splitNoChildren') }));
  }
  splitUnit.addEventListener('change', () => {
    // The new units sit where the old one did, unless changed.
    const old = ctx.units().find((u) => u.id === splitUnit.value);
    for (const n of rows()) {
      const p = document.getElementById(`split-parent-${n}`);
      if (old?.parent_id && p) p.value = old.parent_id;
      const k = document.getElementById(`split-kind-${n}`);
      if (old && k) k.value = old.kind;
    }
    drawChildren();
  });
  const splitForm = h('form', { class: 'card', id: 'new-split', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    splitError.textContent = '';
    const on = ymd(v('split-on'));
    if (!on) { splitError.textContent = t('badDate'); return; }
    const from = splitUnit.value;
    const picked = document.querySelector('input[name=split-default]:checked')?.value;
    try {
      const r = await api.post('/reorganisations', {
        effective_on: on, title: v('split-title'), note: null, close: [from],
        open: rows().map((n) => ({ ref: `n${n}`, kind: v(`split-kind-${n}`), code: v(`split-code-${n}`),
          name: { vi: v(`split-vi-${n}`), en: v(`split-en-${n}`) || null }, parent_id: v(`split-parent-${n}`) || null })),
        moves: [...children.querySelectorAll('select.split-child')].map((s) => ({ unit_id: s.dataset.unit, parent_ref: s.value })),
        lineage: rows().map((n) => ({ from, to_ref: `n${n}`, default: String(n) === picked, assumption: false })),
      });
      splitForm.reset();
      await ctx.recorded(r);
    } catch (err) { splitError.textContent = problemText(err); }
  } },
  h('h2', { text: t('newSplit') }),
  h('p', { class: 'muted', text: t('splitHelp') }),
  h('div', { class: 'row' },
    field('split-title', t('title'), input('split-title', { size: 40 })),
    field('split-on', t('effectiveOn'), input('split-on', { size: 12, placeholder: 'dd/mm/yyyy' })),
    field('split-unit', t('splitUnit'), splitUnit)),
  newUnits,
  h('p', {}, h('button', { type: 'button', class: 'secondary', id: 'split-add', text: t('splitAdd'), onclick: () => newRow().querySelector('select').focus() })),
  children, splitError, h('button', { type: 'submit', id: 'record-split', text: t('recordReorg') }));

  // A move: the unit keeps its history and changes parent on the day.
  const moveError = h('p', { class: 'error', role: 'alert', id: 'move-error' });
  const moveForm = h('form', { class: 'card', id: 'new-move', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    moveError.textContent = '';
    const on = ymd(v('move-on'));
    if (!on) { moveError.textContent = t('badDate'); return; }
    try {
      const r = await api.post('/reorganisations', {
        effective_on: on, title: v('move-title'), note: null, close: [], open: [], lineage: [],
        moves: [{ unit_id: v('move-unit'), parent_id: v('move-parent') }],
      });
      moveForm.reset();
      await ctx.recorded(r);
    } catch (err) { moveError.textContent = problemText(err); }
  } },
  h('h2', { text: t('newMove') }),
  h('p', { class: 'muted', text: t('moveHelp') }),
  h('div', { class: 'row' },
    field('move-title', t('title'), input('move-title', { size: 40 })),
    field('move-on', t('effectiveOn'), input('move-on', { size: 12, placeholder: 'dd/mm/yyyy' }))),
  h('div', { class: 'row' },
    field('move-unit', t('moveUnit'), select('move-unit', [], '')),
    field('move-parent', t('moveTo'), select('move-parent', [], ''))),
  moveError, h('button', { type: 'submit', id: 'record-move', text: t('recordReorg') }));

  // A rename: a correction of the names or code, true of every day.
  const renameUnit = select('rename-unit', [], '');
  const renameError = h('p', { class: 'error', role: 'alert', id: 'rename-error' });
  const prefill = () => {
    const u = ctx.units().find((x) => x.id === renameUnit.value);
    if (!u) return;
    document.getElementById('rename-vi').value = u.name.vi || '';
    document.getElementById('rename-en').value = u.name.en || '';
    document.getElementById('rename-code').value = u.code;
  };
  renameUnit.addEventListener('change', prefill);
  const renameForm = h('form', { class: 'card', id: 'rename', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    renameError.textContent = '';
    try {
      const u = await api.patch(`/units/${renameUnit.value}`, { name: { vi: v('rename-vi'), en: v('rename-en') || null }, code: v('rename-code') });
      await ctx.renamed(u);
    } catch (err) { renameError.textContent = problemText(err); }
  } },
  h('h2', { text: t('newRename') }),
  h('p', { class: 'muted', text: t('renameHelp') }),
  h('div', { class: 'row' },
    field('rename-unit', t('renameUnit'), renameUnit),
    field('rename-code', t('code'), input('rename-code', { size: 14 })),
    field('rename-vi', `${t('name')} (vi)`, input('rename-vi', { size: 30 })),
    field('rename-en', `${t('name')} (en)`, input('rename-en', { size: 30 }))),
  renameError, h('button', { type: 'submit', id: 'record-rename', text: t('saveRename') }));

  function refresh() {
    const notCity = (u) => u.kind !== 'city';
    const keep = (el) => el.value;
    fill(splitUnit, options(notCity), keep(splitUnit));
    for (const n of rows()) { const p = document.getElementById(`split-parent-${n}`); if (p) fill(p, options(), keep(p)); }
    for (const id of ['move-unit', 'move-parent']) { const el = moveForm.querySelector(`#${id}`); fill(el, options(id === 'move-unit' ? notCity : () => true), keep(el)); }
    fill(renameUnit, options(), keep(renameUnit));
    drawChildren();
    if (renameForm.isConnected) prefill();
  }
  newRow();
  newRow();
  return { forms: [splitForm, moveForm, renameForm], refresh };
}
