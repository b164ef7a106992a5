// Admins: topics, and agencies with their machine clients and webhooks.
// A secret (a client's, a webhook's) is in one answer of the API only, so
// it is shown once, with a copy button and a plain warning.
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, field, input, select, status, pagedTable, ask, all, unitOptions, secretOnce, problemText, webhookForm } from './ui.js';

const AGENCY_KINDS = ['education_office', 'social_affairs_office', 'peoples_committee', 'school_board', 'mass_organisation', 'department', 'police', 'health', 'other'];
const value = (id) => document.getElementById(id).value.trim();
const both = (id) => ({ vi: value(`${id}-vi`), en: value(`${id}-en`) || null });

export function topics(area) {
  const message = status('topics-message');
  const table = pagedTable({
    id: 'topics',
    caption: t('admTopics'),
    columns: [{ label: t('slug') }, { label: `${t('name')} (vi)` }, { label: `${t('name')} (en)` }, { label: t('state') }, { label: t('actions'), hidden: true }],
    fetch: (cursor) => api.get(`/topics${api.qs({ limit: 50, cursor })}`),
    row: (x) => h('tr', { 'data-id': x.id, 'data-slug': x.slug },
      h('td', {}, h('code', { text: x.slug })),
      h('td', { text: x.name.vi }), h('td', { text: x.name.en || '' }),
      h('td', {}, h('span', { class: `pill ${x.active ? 'accepted' : 'rejected'}`, text: x.active ? t('active') : t('inactive') })),
      h('td', {}, h('div', { class: 'row tight' },
        h('button', { type: 'button', class: 'secondary', 'data-act': 'edit', 'aria-label': `${t('edit')}: ${x.slug}`, text: t('edit'), onclick: () => edit(x) }),
        h('button', { type: 'button', class: 'secondary', 'data-act': 'active', 'aria-label': `${x.active ? t('deactivate') : t('activate')}: ${x.slug}`, text: x.active ? t('deactivate') : t('activate'),
          onclick: async () => { try { table.put(await api.patch(`/topics/${x.id}`, { active: !x.active })); message.done(); } catch (e) { message.fail(e); } } })))),
  });
  function edit(x) {
    ask(`${t('edit')}: ${x.slug}`, [
      field('topic-edit-vi', `${t('name')} (vi)`, input('topic-edit-vi', { value: x.name.vi, size: 40 })),
      field('topic-edit-en', `${t('name')} (en)`, input('topic-edit-en', { value: x.name.en || '', size: 40 })),
    ], async () => {
      table.put(await api.patch(`/topics/${x.id}`, { name: both('topic-edit') }));
      message.done();
    });
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', id: 'new-topic', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const x = await api.post('/topics', { slug: value('topic-slug'), name: both('topic') });
      table.put(x);
      form.reset();
      message.done(t('topicAdded', x.name.vi));
    } catch (err) { error.textContent = problemText(err); }
  } },
  h('h2', { text: t('newTopic') }),
  h('div', { class: 'row' },
    field('topic-slug', t('slug'), input('topic-slug', { size: 20, autocapitalize: 'none', spellcheck: 'false' }), t('slugHint')),
    field('topic-vi', `${t('name')} (vi)`, input('topic-vi', { size: 30 })),
    field('topic-en', `${t('name')} (en)`, input('topic-en', { size: 30 }))),
  error, h('button', { type: 'submit', id: 'add-topic', text: t('addTopic') }));
  area.replaceChildren(h('h1', { text: t('admTopics') }), message, table.el, form);
  table.reload();
}

export function agencies(area, rest) {
  if (rest[0]) return agency(area, rest[0]);
  const s = { units: [], topics: [] };
  const message = status('agencies-message');
  const unitName = (id) => { const u = s.units.find((x) => x.id === id); return u ? `${words(u.name)} (${u.code})` : ''; };
  const topicNames = (slugs) => slugs.map((sl) => words(s.topics.find((x) => x.slug === sl)?.name) || sl).join(', ');
  const table = pagedTable({
    id: 'agencies',
    caption: t('admAgencies'),
    columns: [{ label: t('name') }, { label: t('kind') }, { label: t('jurisdiction') }, { label: t('topics') }, { label: t('state') }],
    fetch: (cursor) => api.get(`/agencies${api.qs({ limit: 25, cursor })}`),
    row: (a) => h('tr', { 'data-id': a.id },
      h('td', {}, h('a', { href: `#/admin/agencies/${a.id}`, text: words(a.name) })),
      h('td', { text: t('agencyKinds')[a.kind] || a.kind }),
      h('td', { text: unitName(a.jurisdiction_unit_id) }),
      h('td', { text: topicNames(a.topics) }),
      h('td', {}, h('span', { class: `pill ${a.active ? 'accepted' : 'rejected'}`, text: a.active ? t('active') : t('inactive') }))),
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', id: 'new-agency', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const a = await api.post('/agencies', agencyBody());
      message.done(t('agencyAdded', words(a.name)));
      location.hash = `#/admin/agencies/${a.id}`;
    } catch (err) { error.textContent = problemText(err); }
  } });
  area.replaceChildren(h('h1', { text: t('admAgencies') }), message, table.el, form);
  table.reload();
  Promise.all([all('/units'), all('/topics')]).then(([units, tps]) => {
    s.units = units;
    s.topics = tps;
    form.replaceChildren(h('h2', { text: t('newAgency') }), ...agencyFields(null, units, tps), error,
      h('button', { type: 'submit', id: 'add-agency', text: t('addAgency') }));
    table.redraw();
  }).catch((e) => message.fail(e));
  return null;
}

// The fields of an agency, filled with `a` when editing.
function agencyFields(a, units, tps) {
  const picked = new Set(a?.topics || []);
  return [
    h('div', { class: 'row' },
      field('agency-vi', `${t('name')} (vi)`, input('agency-vi', { size: 40, value: a?.name.vi || '' })),
      field('agency-en', `${t('name')} (en)`, input('agency-en', { size: 40, value: a?.name.en || '' }))),
    h('div', { class: 'row' },
      field('agency-kind', t('kind'), select('agency-kind', AGENCY_KINDS.map((k) => [k, t('agencyKinds')[k]]), a?.kind || 'peoples_committee')),
      field('agency-unit', t('jurisdiction'), select('agency-unit', unitOptions(units), a?.jurisdiction_unit_id))),
    h('fieldset', { id: 'agency-topics' }, h('legend', { text: t('answersFor') }),
      h('div', { class: 'checks' }, tps.filter((x) => x.active || picked.has(x.slug)).map((x) => h('div', { class: 'check' },
        h('input', { type: 'checkbox', id: `agency-topic-${x.slug}`, value: x.slug, checked: picked.has(x.slug) }),
        h('label', { for: `agency-topic-${x.slug}`, text: words(x.name) }))))),
    h('div', { class: 'row' },
      field('agency-contact', t('contactName'), input('agency-contact', { size: 30, value: a?.contact?.name || '' })),
      field('agency-email', t('email'), input('agency-email', { type: 'email', size: 30, value: a?.contact?.email || '' })),
      field('agency-phone', t('phone'), input('agency-phone', { type: 'tel', size: 16, value: a?.contact?.phone || '' }))),
  ];
}

function agencyBody() {
  return {
    name: both('agency'), kind: value('agency-kind'), jurisdiction_unit_id: value('agency-unit'),
    topics: [...document.querySelectorAll('#agency-topics input:checked')].map((x) => x.value),
    contact: { name: value('agency-contact') || null, email: value('agency-email') || null, phone: value('agency-phone') || null },
  };
}

async function agency(area, id) {
  let a;
  let units;
  let tps;
  try {
    [a, units, tps] = await Promise.all([api.get(`/agencies/${id}`), all('/units'), all('/topics')]);
  } catch (e) { area.replaceChildren(h('p', { class: 'error', text: problemText(e) })); return; }
  const message = status('agency-message');
  const title = h('h1', { text: words(a.name) });
  const activeBtn = h('button', { type: 'button', class: 'secondary', id: 'agency-active' });
  const drawActive = () => { activeBtn.textContent = a.active ? t('deactivate') : t('activate'); };
  drawActive();
  activeBtn.addEventListener('click', async () => {
    try { a = await api.patch(`/agencies/${id}`, { active: !a.active }); drawActive(); message.done(a.active ? t('active') : t('inactive')); } catch (e) { message.fail(e); }
  });
  const editError = h('p', { class: 'error', role: 'alert' });
  const edit = h('form', { class: 'card', id: 'edit-agency', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    editError.textContent = '';
    try {
      a = await api.patch(`/agencies/${id}`, agencyBody());
      title.textContent = words(a.name);
      message.done();
    } catch (err) { editError.textContent = problemText(err); }
  } },
  h('h2', { text: t('agencyDetails') }), ...agencyFields(a, units, tps), editError,
  h('p', { class: 'row' }, h('button', { type: 'submit', id: 'save-agency', text: t('save') }), activeBtn));

  // Machine clients: a label, the secret once, revoking.
  const clientsBody = h('tbody', { id: 'clients-rows' });
  const clientSecret = h('div', { id: 'client-secret-area' });
  const drawClients = (items) => clientsBody.replaceChildren(...(items.length ? items.map((c) => h('tr', { 'data-client': c.client_id },
    h('td', {}, h('code', { text: c.client_id })), h('td', { text: c.label }), h('td', { text: f.date(c.created_at) }),
    h('td', {}, c.revoked_at ? h('span', { class: 'pill rejected', text: `${t('revoked')} ${f.date(c.revoked_at)}` })
      : h('button', { type: 'button', class: 'secondary', 'data-act': 'revoke', 'aria-label': `${t('revoke')}: ${c.label}`, text: t('revoke'), onclick: () => revoke(c) })))) : [h('tr', {}, h('td', { colspan: 4, text: t('none') }))]));
  const loadClients = async () => { try { drawClients(await api.get(`/agencies/${id}/clients`)); } catch (e) { message.fail(e); } };
  function revoke(c) {
    ask(`${t('revoke')}: ${c.label}`, [h('p', { text: t('revokeWarn') })], async () => {
      await api.call('DELETE', `/agencies/${id}/clients/${encodeURIComponent(c.client_id)}`);
      clientSecret.replaceChildren();
      await loadClients();
      message.done(t('revokedNow', c.label));
    }, t('revoke'));
  }
  const clientError = h('p', { class: 'error', role: 'alert' });
  const clientForm = h('form', { class: 'row', id: 'new-client', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clientError.textContent = '';
    try {
      const c = await api.post(`/agencies/${id}/clients`, { label: value('client-label') });
      clientForm.reset();
      clientSecret.replaceChildren(
        h('p', {}, t('clientId'), ' ', h('code', { id: 'new-client-id', text: c.client_id })),
        secretOnce('client-secret', t('clientSecret'), c.client_secret));
      await loadClients();
      message.done(t('clientAdded', c.label));
      document.getElementById('client-secret').focus();
    } catch (err) { clientError.textContent = problemText(err); }
  } },
  field('client-label', t('clientLabel'), input('client-label', { size: 30 }), t('clientLabelHint')),
  h('button', { type: 'submit', id: 'add-client', text: t('addClient') }));

  // The webhook: the address, a new secret each time it is set, a test event.
  const hookNow = h('p', { id: 'webhook-now' });
  const hookSecret = h('div', { id: 'webhook-secret-area' });
  const loadHook = async () => {
    try {
      const w = await api.get(`/agencies/${id}/webhook`);
      hookNow.replaceChildren(t('webhookNow'), ' ', h('code', { text: w.url }));
      testBtn.hidden = false;
    } catch (e) {
      if (e.status === 404) { hookNow.textContent = t('noWebhook'); testBtn.hidden = true; } else message.fail(e);
    }
  };
  const testBtn = h('button', { type: 'button', class: 'secondary', id: 'test-webhook', hidden: true, text: t('testWebhook'), onclick: async () => {
    try { await api.post(`/agencies/${id}/webhook/test`); message.done(t('testQueued')); } catch (e) { message.fail(e); }
  } });
  const hookError = h('p', { class: 'error', role: 'alert' });
  const hookForm = webhookForm('webhook', `/agencies/${id}/webhook`, { secretArea: hookSecret, error: hookError, message, reload: loadHook });

  area.replaceChildren(
    h('p', {}, h('a', { href: '#/admin/agencies', text: `← ${t('admAgencies')}` })),
    title, message, edit,
    h('section', { class: 'card', 'aria-labelledby': 'clients-title' },
      h('h2', { id: 'clients-title', text: t('clients') }),
      h('p', { class: 'muted', text: t('clientsHelp') }),
      h('table', { id: 'clients' }, h('thead', {}, h('tr', {}, [t('clientId'), t('clientLabel'), t('created'), t('state')].map((x) => h('th', { scope: 'col', text: x })))), clientsBody),
      clientSecret, clientForm, clientError),
    h('section', { class: 'card', 'aria-labelledby': 'webhook-title' },
      h('h2', { id: 'webhook-title', text: t('webhook') }),
      h('p', { class: 'muted', text: t('webhookHelp') }),
      hookNow, hookSecret, hookForm, hookError, h('p', {}, testBtn)));
  loadClients();
  loadHook();
}
