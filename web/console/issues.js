// Moderators (and admins): the issue queue as a triage tool. Lists page
// and search on the server; every action updates the row in place. Each
// issue shows its unit and the Council's note, both editable (key n).
import * as api from './api.js';
import { h, say, problem } from './console.js';
import { t, current } from './i18n.js';
import * as f from './format.js';
import * as ui from './ui.js';
import './extra_words.js';

const STATUSES = ['new', 'accepted', 'rejected', 'merged'];
const REASONS = ['off_topic', 'spam', 'duplicate', 'unsafe', 'personal_information', 'other'];

export function show(main) {
  const s = {
    filters: { status: 'new', topic: '', q: '', sort: 'newest' },
    items: [], next: null, counts: {}, cur: 0, picked: new Set(), topics: [], units: [],
  };
  const countsEl = h('p', { class: 'counts', id: 'counts', 'aria-live': 'polite' });
  const body = h('tbody', { id: 'rows' });
  const moreBtn = h('button', { type: 'button', class: 'secondary', id: 'more', hidden: true, text: t('more'), onclick: () => load(true) });
  const bulk = h('div', { class: 'toolbar', id: 'bulk', hidden: true });
  const message = h('p', { id: 'message', role: 'status' });
  const keysList = h('section', { id: 'keys', class: 'card', hidden: true, 'aria-labelledby': 'keys-title' },
    h('h2', { id: 'keys-title', text: t('keysTitle') }),
    h('ul', { class: 'keys' }, t('keys').map(([k, what]) => h('li', {}, h('kbd', { text: k }), ` ${what}`))));
  const topicSelect = h('select', { id: 'f-topic', onchange: (e) => filter('topic', e.target.value) }, h('option', { value: '', text: t('anyTopic') }));
  const search = h('input', { id: 'f-q', type: 'search', maxlength: 200, size: 28 });
  let typing = null;
  search.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => filter('q', search.value.trim()), 300); });

  main.replaceChildren(
    h('h1', { text: t('issuesTitle') }),
    h('div', { class: 'toolbar', role: 'search' },
      field('f-status', t('status'), h('select', { id: 'f-status', onchange: (e) => filter('status', e.target.value) },
        h('option', { value: '', text: '—' }), STATUSES.map((x) => h('option', { value: x, selected: x === 'new', text: t('statuses')[x] })))),
      field('f-topic', t('topic'), topicSelect),
      field('f-q', t('search'), search),
      field('f-sort', t('sort'), h('select', { id: 'f-sort', onchange: (e) => filter('sort', e.target.value) },
        h('option', { value: 'newest', text: t('newest') }), h('option', { value: 'oldest', text: t('oldest') }))),
      h('button', { type: 'button', class: 'link', id: 'show-keys', 'aria-controls': 'keys', text: `? ${t('keysTitle')}`, onclick: toggleKeys })),
    keysList, countsEl, bulk, message,
    h('table', { class: 'queue' },
      h('caption', { class: 'visually-hidden', text: t('issuesTitle') }),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: t('select') })),
        h('th', { scope: 'col', text: t('title') }), h('th', { scope: 'col', text: t('topic') }),
        h('th', { scope: 'col', class: 'num', text: t('supports') }), h('th', { scope: 'col', text: t('raised') }),
        h('th', { scope: 'col', text: t('status') }), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Thao tác / Actions' })))),
      body),
    moreBtn);

  function field(id, label, control) {
    return h('div', {}, h('label', { for: id, text: label }), control);
  }

  function toggleKeys() { keysList.hidden = !keysList.hidden; }

  function filter(key, value) {
    s.filters[key] = value;
    load(false);
  }

  async function load(more) {
    const query = api.qs({ ...s.filters, limit: 50, cursor: more ? s.next : null });
    try {
      const page = await api.get(`/issues${query}`);
      s.items = more ? s.items.concat(page.items) : page.items;
      s.next = page.next_cursor;
      s.counts = page.counts;
      if (!more) { s.cur = 0; s.picked.clear(); }
      render();
    } catch (e) {
      message.textContent = problem(e);
    }
  }

  function render() {
    countsEl.replaceChildren(...STATUSES.map((x) => h('span', { class: 'pill', text: `${t('statuses')[x]}: ${f.num(s.counts[x] || 0)}` })));
    body.replaceChildren(...(s.items.length ? s.items.map(row) : [h('tr', {}, h('td', { colspan: 7, text: t('empty') }))]));
    moreBtn.hidden = !s.next;
    renderBulk();
    mark();
  }

  const topicName = (slug) => {
    const x = s.topics.find((tp) => tp.slug === slug);
    return x ? x.name[current()] || x.name.vi : slug || '—';
  };

  const unitName = (id) => {
    const u = s.units.find((x) => x.id === id);
    return u ? `${ui.words(u.name)} (${u.code})` : '—';
  };

  function row(issue, i) {
    const pick = h('input', { type: 'checkbox', 'aria-label': `${t('select')}: ${issue.title}`, checked: s.picked.has(issue.id),
      onchange: (e) => { if (e.target.checked) s.picked.add(issue.id); else s.picked.delete(issue.id); renderBulk(); } });
    const actions = h('div', { class: 'row' });
    if (issue.status === 'merged') actions.append(h('button', { type: 'button', class: 'secondary', 'data-act': 'unmerge', text: t('unmerge'), onclick: () => unmerge(i) }));
    else if (issue.status === 'accepted' && !issue.published_at) actions.append(h('button', { type: 'button', class: 'secondary', 'data-act': 'publish', text: t('publish'), onclick: () => publish(i) }));
    actions.append(h('button', { type: 'button', class: 'secondary', 'data-act': 'note', 'aria-label': `${t('noteAndUnit')}: ${issue.title}`, text: t('noteAndUnit'), onclick: () => note(i) }));
    actions.append(h('button', { type: 'button', class: 'secondary', 'data-act': 'redact', 'aria-label': `${t('redact')}: ${issue.title}`, text: t('redact'), onclick: () => redact(i) }));
    return h('tr', { 'data-id': issue.id, 'data-status': issue.status, onclick: (e) => { if (e.target.tagName !== 'INPUT' && e.target.tagName !== 'BUTTON') { s.cur = i; mark(); } } },
      h('td', {}, pick),
      h('td', {}, h('strong', { text: issue.title }), h('br'), h('span', { class: 'muted', text: issue.body.length > 220 ? `${issue.body.slice(0, 220)}…` : issue.body }),
        h('span', { class: 'hint muted unit', text: `${t('issueUnit')}: ${unitName(issue.unit_id)}` }),
        issue.moderator_note ? h('span', { class: 'hint mod-note', text: `${t('modNote')}: ${issue.moderator_note}` }) : null),
      h('td', { class: 'topic', text: topicName(issue.topic) }),
      h('td', { class: 'num', text: f.num(issue.supports) }),
      h('td', { text: f.date(issue.created_at) }),
      h('td', {}, h('span', { class: `pill ${issue.status}`, text: issue.status === 'rejected' && issue.rejection_reason ? `${t('statuses').rejected}: ${t('reasons')[issue.rejection_reason]}` : t('statuses')[issue.status] }),
        issue.published_at ? h('span', { class: 'pill published', text: t('published') }) : null),
      h('td', {}, actions));
  }

  function mark() {
    const rows = body.querySelectorAll('tr[data-id]');
    rows.forEach((r, i) => {
      r.classList.toggle('current', i === s.cur);
      if (i === s.cur) r.setAttribute('aria-current', 'true'); else r.removeAttribute('aria-current');
    });
    const r = rows[s.cur];
    if (r) r.scrollIntoView({ block: 'nearest' });
  }

  function renderBulk() {
    bulk.hidden = s.picked.size === 0;
    if (bulk.hidden) return;
    const reason = h('select', { id: 'bulk-reason', 'aria-label': t('reason') }, REASONS.map((r) => h('option', { value: r, text: t('reasons')[r] })));
    bulk.replaceChildren(h('strong', { text: t('selected', s.picked.size) }),
      h('button', { type: 'button', id: 'bulk-accept', text: t('bulkAccept'), onclick: () => bulkDo({ status: 'accepted' }) }),
      reason,
      h('button', { type: 'button', id: 'bulk-reject', class: 'secondary', text: t('bulkReject'), onclick: () => bulkDo({ status: 'rejected', reason: reason.value }) }));
  }

  async function bulkDo(change) {
    try {
      const r = await api.post('/issues/bulk', { ids: [...s.picked], ...change });
      for (const issue of r.items) replace(issue);
      s.picked.clear();
      render();
      done();
    } catch (e) { message.textContent = problem(e); }
  }

  // An issue changed on the server: its row changes, the counts follow.
  function replace(issue) {
    const i = s.items.findIndex((x) => x.id === issue.id);
    if (i < 0) return;
    const before = s.items[i].status;
    if (before !== issue.status) {
      s.counts[before] = Math.max(0, (s.counts[before] || 0) - 1);
      s.counts[issue.status] = (s.counts[issue.status] || 0) + 1;
    }
    s.items[i] = { ...s.items[i], ...issue };
  }

  function done(text = t('done')) {
    message.textContent = text;
    say(text);
  }

  async function act(i, fn, advance = true) {
    const issue = s.items[i];
    if (!issue) return;
    try {
      replace(await fn(issue));
      if (advance && s.cur < s.items.length - 1) s.cur += 1;
      render();
      done();
    } catch (e) { message.textContent = problem(e); }
  }

  const accept = (i) => act(i, (x) => api.patch(`/issues/${x.id}`, { status: 'accepted' }));
  const publish = (i) => act(i, (x) => api.post(`/issues/${x.id}/publish`), false);
  const unmerge = (i) => act(i, (x) => api.post(`/issues/${x.id}/unmerge`), false);

  function reject(i) {
    const issue = s.items[i];
    if (!issue) return;
    const reason = h('select', { id: 'reject-reason' }, REASONS.map((r) => h('option', { value: r, text: t('reasons')[r] })));
    ask(`${t('reject')}: ${issue.title}`, [h('label', { for: 'reject-reason', text: t('reason') }), reason], () =>
      act(i, (x) => api.patch(`/issues/${x.id}`, { status: 'rejected', reason: reason.value })));
  }

  // Redaction: the moderator removes what should not be read (a name, a
  // place); the words before stay in the audit log only.
  function redact(i) {
    const issue = s.items[i];
    if (!issue) return;
    const title = h('input', { id: 'redact-title', type: 'text', value: issue.title, size: 60, maxlength: 200 });
    const bodyText = h('textarea', { id: 'redact-body', rows: 6 });
    bodyText.value = issue.body;
    ask(`${t('redact')}: ${issue.title}`, [h('p', { class: 'muted', text: t('redactHelp') }),
      h('label', { for: 'redact-title', text: t('title') }), title,
      h('label', { for: 'redact-body', text: t('issueText') }), bodyText], () =>
      act(i, (x) => api.patch(`/issues/${x.id}`, { title: title.value.trim(), body: bodyText.value.trim() }), false));
    title.focus();
  }

  // The Council's note (never published) and the unit the issue is about.
  function note(i) {
    const issue = s.items[i];
    if (!issue) return;
    // A unit closed since stays chosen until another is picked.
    const options = ui.unitOptions(s.units);
    if (!s.units.some((u) => u.id === issue.unit_id)) options.unshift([issue.unit_id, unitName(issue.unit_id)]);
    const unit = ui.select('note-unit', options, issue.unit_id);
    const text = h('textarea', { id: 'note-text', rows: 5 });
    text.value = issue.moderator_note || '';
    ui.ask(`${t('noteAndUnit')}: ${issue.title}`, [h('p', { class: 'muted', text: t('noteHelp') }),
      ui.field('note-unit', t('issueUnit'), unit), ui.field('note-text', t('modNote'), text, t('noteHint'))], async () => {
      const change = { note: text.value.trim() ? text.value.trim() : null };
      if (unit.value && unit.value !== issue.unit_id) change.unit_id = unit.value;
      replace(await api.patch(`/issues/${issue.id}`, change));
      render();
      done(t('noteSaved'));
    }, t('save'));
  }

  function topic(i) {
    const issue = s.items[i];
    if (!issue) return;
    const pick = h('select', { id: 'topic-pick' }, s.topics.filter((x) => x.active).map((x) =>
      h('option', { value: x.slug, selected: x.slug === issue.topic, text: x.name[current()] || x.name.vi })));
    ask(`${t('setTopic')}: ${issue.title}`, [h('label', { for: 'topic-pick', text: t('topic') }), pick], () =>
      act(i, (x) => api.patch(`/issues/${x.id}`, { topic: pick.value }), false));
  }

  async function similar(i) {
    const issue = s.items[i];
    if (!issue) return;
    let found;
    try { found = (await api.get(`/issues/${issue.id}/similar`)).items; } catch (e) { message.textContent = problem(e); return; }
    const dialog = h('dialog', { id: 'similar', 'aria-labelledby': 'similar-title' });
    const card = (x, label) => h('div', { class: 'card' }, h('p', { class: 'muted', text: label }), h('h3', { text: x.title }), h('p', { text: x.body }),
      h('p', { class: 'muted', text: `${t('supportsN', f.num(x.supports))} · ${t('statuses')[x.status]} · ${f.date(x.created_at)}` }));
    const close = () => { dialog.close(); dialog.remove(); };
    dialog.append(h('h2', { id: 'similar-title', text: t('similarTitle') }),
      ...(found.length ? [] : [h('p', { text: t('noSimilar') })]),
      ...found.map(({ issue: other, score }) => h('div', { class: 'side-pair' },
        h('div', { class: 'side' }, card(issue, t('thisIssue')), card(other, `${Math.round(score * 100)}%`)),
        h('p', {}, h('button', { type: 'button', class: 'merge-into', 'data-into': other.id, text: t('mergeInto'),
          onclick: () => { close(); act(i, (x) => api.post(`/issues/${x.id}/merge`, { into: other.id }).then(() => api.get(`/issues/${x.id}`))); } })))),
      h('p', {}, h('button', { type: 'button', class: 'secondary', text: t('cancel'), onclick: close })));
    dialog.addEventListener('cancel', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }

  // A small modal question; Enter confirms, Escape cancels.
  function ask(title, fields, then) {
    const dialog = h('dialog', { 'aria-labelledby': 'ask-title', id: 'ask' });
    const close = () => { dialog.close(); dialog.remove(); };
    dialog.append(h('form', { onsubmit: (e) => { e.preventDefault(); close(); then(); } },
      h('h2', { id: 'ask-title', text: title }), ...fields,
      h('p', { class: 'row' }, h('button', { type: 'submit', id: 'ask-ok', text: t('confirm') }),
        h('button', { type: 'button', class: 'secondary', text: t('cancel'), onclick: close }))));
    dialog.addEventListener('cancel', () => dialog.remove());
    // Enter on a list confirms too (a select does not submit by itself).
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.tagName === 'SELECT') { e.preventDefault(); dialog.querySelector('form').requestSubmit(); }
    });
    document.body.append(dialog);
    dialog.showModal();
    fields.find((x) => x.tagName === 'SELECT')?.focus();
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName) && e.target.type !== 'checkbox') return;
    const keys = {
      j: () => { if (s.cur < s.items.length - 1) { s.cur += 1; mark(); } },
      k: () => { if (s.cur > 0) { s.cur -= 1; mark(); } },
      a: () => accept(s.cur),
      r: () => reject(s.cur),
      t: () => topic(s.cur),
      m: () => similar(s.cur),
      p: () => publish(s.cur),
      e: () => redact(s.cur),
      n: () => note(s.cur),
      x: () => { const id = s.items[s.cur]?.id; if (!id) return; if (s.picked.has(id)) s.picked.delete(id); else s.picked.add(id); render(); },
      '/': () => search.focus(),
      '?': toggleKeys,
    };
    const run = keys[e.key];
    if (run) { e.preventDefault(); run(); }
  }

  document.addEventListener('keydown', onKey);
  api.get('/topics?limit=100').then((r) => {
    s.topics = r.items;
    topicSelect.append(...s.topics.map((x) => h('option', { value: x.slug, text: x.name[current()] || x.name.vi })));
    render();
  }).catch(() => {});
  ui.all('/units').then((units) => { s.units = units; render(); }).catch(() => {});
  load(false);
  return () => {
    document.removeEventListener('keydown', onKey);
    document.querySelectorAll('dialog').forEach((d) => d.remove());
  };
}
