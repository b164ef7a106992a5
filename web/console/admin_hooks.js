// Admins: the safeguarding team's webhook (every new case announced at
// once, never a child's words; a new secret shown once each time it is
// set) and the webhook events the service sends, the dead letters first:
// what failed and why, each one sent again (the API's replay) in place.
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import * as f from './format.js';
import { words, field, select, status, pagedTable, all, problemText, webhookForm } from './ui.js';
import './extra_words.js';

const STATUSES = ['dead', 'pending', 'delivered'];

export function hooks(area) {
  const message = status('hooks-message');

  // The safeguarding team's endpoint.
  const now = h('p', { id: 'sg-webhook-now' });
  const secretArea = h('div', { id: 'sg-secret-area' });
  const hookError = h('p', { class: 'error', role: 'alert', id: 'sg-webhook-error' });
  const loadHook = async () => {
    try {
      const w = await api.get('/safeguarding/webhook');
      now.replaceChildren(t('webhookNow'), ' ', h('code', { text: w.url }));
    } catch (e) {
      if (e.status === 404) now.textContent = t('noWebhook'); else hookError.textContent = problemText(e);
    }
  };
  const hookForm = webhookForm('sg-webhook', '/safeguarding/webhook', { secretArea, error: hookError, message, reload: loadHook });

  // The events, filtered by state; the dead letters first.
  let agencies = new Map();
  const filter = select('hooks-status', [['', t('everything')], ...STATUSES.map((s) => [s, t('hookStatuses')[s]])], 'dead');
  const to = (e) => (e.agency_id ? agencies.get(e.agency_id) || e.agency_id : t('sgTeam'));
  const replay = async (e) => {
    try {
      events.put(await api.post(`/webhooks/events/${e.id}/replay`));
      message.done(t('replayed', e.type));
    } catch (err) { message.fail(problemText(err)); }
  };
  const events = pagedTable({
    id: 'hook-events',
    caption: t('hookEvents'),
    empty: t('noHookEvents'),
    columns: [{ label: t('queuedAt') }, { label: t('hookType') }, { label: t('hookTo') }, { label: t('state') }, { label: t('attempts'), num: true }, { label: t('lastError') }, { label: t('actions'), hidden: true }],
    fetch: (cursor) => api.get(`/webhooks/events${api.qs({ status: filter.value, limit: 20, cursor })}`),
    row: (e) => h('tr', { 'data-id': e.id, 'data-status': e.status },
      h('td', { text: f.dateTime(e.queued_at) }),
      h('td', {}, h('code', { text: e.type })),
      h('td', { text: to(e) }),
      h('td', { class: 'status' }, h('span', { class: `pill ${e.status === 'dead' ? 'rejected' : e.status === 'delivered' ? 'accepted' : ''}`, text: t('hookStatuses')[e.status] || e.status })),
      h('td', { class: 'num', text: f.num(e.attempts) }),
      h('td', { text: e.last_error || '—' }),
      h('td', {}, e.status === 'dead'
        ? h('button', { type: 'button', class: 'secondary', 'data-act': 'replay', 'aria-label': `${t('replay')}: ${e.type} ${e.id}`, text: t('replay'), onclick: () => replay(e) })
        : null)),
  });
  filter.addEventListener('change', () => events.reload());

  area.replaceChildren(
    h('h1', { text: t('admHooks') }), message,
    h('section', { class: 'card', 'aria-labelledby': 'sg-webhook-title' },
      h('h2', { id: 'sg-webhook-title', text: t('sgWebhook') }),
      h('p', { class: 'muted', text: t('sgWebhookHelp') }),
      now, secretArea, hookForm, hookError),
    h('section', { 'aria-labelledby': 'hook-events-title' },
      h('h2', { id: 'hook-events-title', text: t('hookEvents') }),
      h('p', { class: 'muted', text: t('hookEventsHelp') }),
      h('div', { class: 'toolbar' }, field('hooks-status', t('state'), filter)),
      events.el));
  loadHook();
  all('/agencies').then((list) => {
    agencies = new Map(list.map((a) => [a.id, words(a.name)]));
    events.redraw();
  }).catch(() => {}).finally(() => events.reload());
}
