// Admins: the organisation over time. The tree of units in force on a
// chosen day, a new unit, and reorganisations (the units a merger closes,
// the unit it opens, which one carries their history; splits, moves and
// renames in admin_reorg.js).
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import { words, dmy, ymd, field, input, select, status, pagedTable, all, unitOptions, problemText } from './ui.js';
import { reorgForms } from './admin_reorg.js';

const KINDS = ['city', 'district', 'ward', 'school', 'care_centre', 'council'];

export function units(area) {
  const s = { at: '', units: [] };
  const message = status('units-message');
  const tree = h('div', { id: 'tree', class: 'card tree' });
  const day = input('tree-day', { size: 12, placeholder: 'dd/mm/yyyy', inputmode: 'numeric' });
  const dayError = h('p', { class: 'error', role: 'alert', id: 'tree-error' });
  const kinds = () => KINDS.map((k) => [k, t('unitKinds')[k]]);

  async function load() {
    tree.setAttribute('aria-busy', 'true');
    try {
      s.units = await all(`/units${api.qs({ at: s.at })}`);
      drawTree();
      refreshChoosers();
      others.refresh();
    } catch (e) { message.fail(e); }
    tree.removeAttribute('aria-busy');
  }

  function drawTree() {
    const byParent = new Map();
    for (const u of s.units) {
      const k = u.parent_id || '';
      if (!byParent.has(k)) byParent.set(k, []);
      byParent.get(k).push(u);
    }
    const branch = (parent) => {
      const kids = byParent.get(parent) || [];
      if (!kids.length) return null;
      return h('ul', {}, kids.map((u) => h('li', { 'data-code': u.code },
        h('span', { class: 'unit' }, h('strong', { text: words(u.name) }), ` · ${u.code} · `, h('span', { class: 'muted', text: t('unitKinds')[u.kind] || u.kind }),
          h('span', { class: 'muted', text: ` · ${t('since')} ${dmy(u.valid_from)}` })),
        branch(u.id))));
    };
    tree.replaceChildren(
      h('h2', { id: 'tree-title', text: s.at ? t('treeOn', dmy(s.at)) : t('treeToday') }),
      h('p', { class: 'muted', text: t('unitsCount', s.units.length) }),
      branch('') || h('p', { text: t('none') }));
  }

  // The choosers of the forms follow the day shown.
  function refreshChoosers() {
    const opts = unitOptions(s.units);
    for (const id of ['unit-parent', 'reorg-parent']) {
      const el = document.getElementById(id);
      if (el) el.replaceChildren(...opts.map(([value, text]) => h('option', { value, text })));
    }
    const close = document.getElementById('reorg-close');
    if (close) {
      close.replaceChildren(h('legend', { text: t('reorgClose') }),
        h('div', { class: 'checks' }, s.units.filter((u) => u.kind !== 'city').map((u) => h('div', { class: 'check' },
          h('input', { type: 'checkbox', id: `close-${u.id}`, value: u.id, 'data-code': u.code }),
          h('label', { for: `close-${u.id}`, text: `${words(u.name)} (${u.code})` })))));
    }
  }

  const v = (id) => document.getElementById(id).value.trim();
  const addError = h('p', { class: 'error', role: 'alert' });
  const addForm = h('form', { class: 'card', id: 'new-unit', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    addError.textContent = '';
    const from = v('unit-from');
    if (from && !ymd(from)) { addError.textContent = t('badDate'); return; }
    try {
      const u = await api.post('/units', {
        kind: v('unit-kind'), code: v('unit-code'), name: { vi: v('unit-vi'), en: v('unit-en') || null },
        parent_id: v('unit-parent') || null, valid_from: ymd(from),
      });
      addForm.reset();
      message.done(t('unitAdded', words(u.name)));
      await load();
    } catch (err) { addError.textContent = problemText(err); }
  } },
  h('h2', { text: t('newUnit') }),
  h('div', { class: 'row' },
    field('unit-kind', t('kind'), select('unit-kind', kinds(), 'school')),
    field('unit-code', t('code'), input('unit-code', { size: 12, autocapitalize: 'characters' })),
    field('unit-vi', `${t('name')} (vi)`, input('unit-vi', { size: 30 })),
    field('unit-en', `${t('name')} (en)`, input('unit-en', { size: 30 }))),
  h('div', { class: 'row' },
    field('unit-parent', t('parent'), select('unit-parent', [], '')),
    field('unit-from', t('validFrom'), input('unit-from', { size: 12, placeholder: 'dd/mm/yyyy' }), t('defaultToday'))),
  addError, h('button', { type: 'submit', id: 'add-unit', text: t('addUnit') }));

  // A merger: close the units ticked, open one new unit under a parent,
  // and let it carry their history.
  const reorgError = h('p', { class: 'error', role: 'alert' });
  const reorgForm = h('form', { class: 'card', id: 'new-reorg', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    reorgError.textContent = '';
    const on = ymd(v('reorg-on'));
    if (!on) { reorgError.textContent = t('badDate'); return; }
    const closing = [...document.querySelectorAll('#reorg-close input:checked')].map((x) => x.value);
    if (!closing.length) { reorgError.textContent = t('reorgNothing'); return; }
    try {
      const r = await api.post('/reorganisations', {
        effective_on: on, title: v('reorg-title'), note: v('reorg-note') || null, close: closing,
        open: [{ ref: 'new', kind: v('reorg-kind'), code: v('reorg-code'), name: { vi: v('reorg-vi'), en: v('reorg-en') || null }, parent_id: v('reorg-parent') }],
        lineage: closing.map((from) => ({ from, to_ref: 'new', assumption: false })),
      });
      reorgs.put(r);
      reorgForm.reset();
      message.done(t('reorgDone', r.title));
      await load();
    } catch (err) { reorgError.textContent = problemText(err); }
  } },
  h('h2', { text: t('newReorg') }),
  h('p', { class: 'muted', text: t('reorgHelp') }),
  h('div', { class: 'row' },
    field('reorg-title', t('title'), input('reorg-title', { size: 40 })),
    field('reorg-on', t('effectiveOn'), input('reorg-on', { size: 12, placeholder: 'dd/mm/yyyy' }))),
  h('fieldset', { id: 'reorg-close' }),
  h('fieldset', {}, h('legend', { text: t('reorgOpen') }),
    h('div', { class: 'row' },
      field('reorg-kind', t('kind'), select('reorg-kind', kinds(), 'ward')),
      field('reorg-code', t('code'), input('reorg-code', { size: 12 })),
      field('reorg-vi', `${t('name')} (vi)`, input('reorg-vi', { size: 30 })),
      field('reorg-en', `${t('name')} (en)`, input('reorg-en', { size: 30 })),
      field('reorg-parent', t('parent'), select('reorg-parent', [], '')))),
  field('reorg-note', t('note'), h('textarea', { id: 'reorg-note', rows: 2 })),
  reorgError, h('button', { type: 'submit', id: 'record-reorg', text: t('recordReorg') }));

  const brief = (u) => `${words(u.name)} (${u.code})`;
  const reorgs = pagedTable({
    id: 'reorgs',
    caption: t('reorgs'),
    columns: [{ label: t('effectiveOn') }, { label: t('title') }, { label: t('reorgLinks') }],
    fetch: (cursor) => api.get(`/reorganisations${api.qs({ limit: 20, cursor })}`),
    row: (r) => h('tr', { 'data-id': r.id },
      h('td', { text: dmy(r.effective_on) }),
      h('td', {}, h('strong', { text: r.title }), r.note ? h('p', { class: 'muted', text: r.note }) : null),
      h('td', {}, h('ul', { class: 'plain' },
        r.lineage.map((l) => h('li', { text: `${brief(l.from)} → ${brief(l.to)}${l.assumption ? ` (${t('assumed')})` : ''}` })),
        r.opened.filter((o) => !r.lineage.some((l) => l.to.id === o.id)).map((o) => h('li', { text: `${t('opened')}: ${brief(o)}` }))))),
  });

  const others = reorgForms({
    units: () => s.units,
    recorded: async (r) => { reorgs.put(r); message.done(t('reorgDone', r.title)); await load(); },
    renamed: async (u) => { message.done(t('renamed', words(u.name))); await load(); },
  });

  area.replaceChildren(
    h('h1', { text: t('admUnits') }),
    h('form', { class: 'toolbar', id: 'tree-form', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      dayError.textContent = '';
      const raw = day.value.trim();
      if (raw && !ymd(raw)) { dayError.textContent = t('badDate'); return; }
      s.at = raw ? ymd(raw) : '';
      load();
    } },
    field('tree-day', t('treeDay'), day, t('treeDayHint')),
    h('button', { type: 'submit', id: 'show-tree', text: t('showTree') })),
    dayError, message, tree, addForm,
    h('h2', { text: t('reorgs') }), reorgs.el, reorgForm, ...others.forms);
  load();
  reorgs.reload();
}
