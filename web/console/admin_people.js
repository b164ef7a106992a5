// Admins: staff accounts — create, change the role (with the unit or
// agency it needs), disable or enable, set a new password.
import * as api from './api.js';
import { h } from './console.js';
import { t } from './i18n.js';
import { words, field, input, select, status, pagedTable, ask, all, unitOptions, problemText } from './ui.js';

const ROLES = ['admin', 'moderator', 'facilitator', 'safeguarding_officer', 'agency_staff'];

export function users(area) {
  const s = { role: '', disabled: '', units: [], agencies: [] };
  const message = status('users-message');
  const unitName = (id) => { const u = s.units.find((x) => x.id === id); return u ? `${words(u.name)} (${u.code})` : ''; };
  const agencyName = (id) => words(s.agencies.find((x) => x.id === id)?.name);
  const roleOptions = ROLES.map((r) => [r, t('roles')[r]]);

  const table = pagedTable({
    id: 'users',
    caption: t('admUsers'),
    columns: [{ label: t('username') }, { label: t('displayName') }, { label: t('role') }, { label: t('scope') }, { label: t('state') }, { label: t('actions'), hidden: true }],
    fetch: (cursor) => api.get(`/users${api.qs({ role: s.role, disabled: s.disabled, limit: 25, cursor })}`),
    row: (u) => h('tr', { 'data-id': u.id, 'data-username': u.username },
      h('td', {}, h('strong', { text: u.username })),
      h('td', { text: u.display_name || '' }),
      h('td', { class: 'role', text: t('roles')[u.role] || u.role }),
      h('td', { text: u.unit_id ? unitName(u.unit_id) : u.agency_id ? agencyName(u.agency_id) : '—' }),
      h('td', {}, h('span', { class: `pill ${u.disabled ? 'rejected' : 'accepted'}`, text: u.disabled ? t('disabled') : t('enabled') })),
      h('td', {}, h('div', { class: 'row tight' },
        h('button', { type: 'button', class: 'secondary', 'data-act': 'role', text: t('changeRole'), 'aria-label': `${t('changeRole')}: ${u.username}`, onclick: () => changeRole(u) }),
        h('button', { type: 'button', class: 'secondary', 'data-act': 'password', text: t('resetPassword'), 'aria-label': `${t('resetPassword')}: ${u.username}`, onclick: () => resetPassword(u) }),
        h('button', { type: 'button', class: u.disabled ? 'secondary' : 'secondary danger-text', 'data-act': 'disable', text: u.disabled ? t('enable') : t('disable'), 'aria-label': `${u.disabled ? t('enable') : t('disable')}: ${u.username}`, onclick: () => toggle(u) })))),
  });

  // The unit or agency a role needs, shown only for that role.
  function scopeFields(prefix, role, unitId, agencyId) {
    const unit = field(`${prefix}-unit`, t('unitOf'), select(`${prefix}-unit`, unitOptions(s.units), unitId));
    const agency = field(`${prefix}-agency`, t('agency'), select(`${prefix}-agency`, s.agencies.map((a) => [a.id, words(a.name)]), agencyId));
    const sync = (r) => { unit.hidden = r !== 'facilitator'; agency.hidden = r !== 'agency_staff'; };
    sync(role);
    return { unit, agency, sync };
  }
  const scopeOf = (prefix, role) => ({
    unit_id: role === 'facilitator' ? document.getElementById(`${prefix}-unit`).value : null,
    agency_id: role === 'agency_staff' ? document.getElementById(`${prefix}-agency`).value : null,
  });

  function changeRole(u) {
    const role = select('role-pick', roleOptions, u.role);
    const scope = scopeFields('role-pick', u.role, u.unit_id, u.agency_id);
    role.addEventListener('change', () => scope.sync(role.value));
    ask(`${t('changeRole')}: ${u.username}`, [field('role-pick', t('role'), role), scope.unit, scope.agency], async () => {
      const changed = await api.patch(`/users/${u.id}`, { role: role.value, ...scopeOf('role-pick', role.value) });
      table.put(changed);
      message.done();
    });
  }

  function resetPassword(u) {
    const pw = input('new-password', { type: 'password', autocomplete: 'new-password', minlength: 10 });
    ask(`${t('resetPassword')}: ${u.username}`, [field('new-password', t('newPassword'), pw, t('passwordHint')), h('p', { class: 'muted', text: t('resetEnds') })], async () => {
      await api.post(`/users/${u.id}/password`, { password: pw.value });
      message.done(t('passwordSet', u.username));
    });
  }

  async function toggle(u) {
    try {
      table.put(await api.patch(`/users/${u.id}`, { disabled: !u.disabled }));
      message.done(u.disabled ? t('enabledNow', u.username) : t('disabledNow', u.username));
    } catch (e) { message.fail(e); }
  }

  const newRole = select('new-role', roleOptions, 'moderator');
  const newScope = scopeFields('new', 'moderator');
  newRole.addEventListener('change', () => newScope.sync(newRole.value));
  const createError = h('p', { class: 'error', role: 'alert', id: 'new-user-error' });
  const form = h('form', { class: 'card', id: 'new-user', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    createError.textContent = '';
    const v = (id) => document.getElementById(id).value.trim();
    try {
      const created = await api.post('/users', {
        username: v('new-username'), display_name: v('new-name') || null, password: document.getElementById('new-pass').value,
        role: newRole.value, ...scopeOf('new', newRole.value),
      });
      table.put(created);
      form.reset();
      newScope.sync(newRole.value);
      message.done(t('userCreated', created.username));
    } catch (err) { createError.textContent = problemText(err); }
  } },
  h('h2', { text: t('newUser') }),
  h('div', { class: 'row' },
    field('new-username', t('username'), input('new-username', { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' })),
    field('new-name', t('displayName'), input('new-name', { autocomplete: 'off' })),
    field('new-role', t('role'), newRole), newScope.unit, newScope.agency,
    field('new-pass', t('firstPassword'), input('new-pass', { type: 'password', autocomplete: 'new-password' }), t('passwordHint'))),
  createError,
  h('button', { type: 'submit', id: 'create-user', text: t('createUser') }));

  area.replaceChildren(
    h('h1', { text: t('admUsers') }),
    h('div', { class: 'toolbar', role: 'search' },
      field('f-role', t('role'), select('f-role', [['', t('allRoles')], ...roleOptions], '', { onchange: (e) => { s.role = e.target.value; table.reload(); } })),
      field('f-disabled', t('state'), select('f-disabled', [['', t('allStates')], ['false', t('enabled')], ['true', t('disabled')]], '', { onchange: (e) => { s.disabled = e.target.value; table.reload(); } }))),
    message, table.el, form);
  table.reload();
  // The names of units and agencies follow when their lists arrive.
  Promise.all([all('/units'), all('/agencies')]).then(([units, agencies]) => {
    s.units = units;
    s.agencies = agencies;
    for (const [id, opts] of [['new-unit', unitOptions(units)], ['new-agency', agencies.map((a) => [a.id, words(a.name)])]]) {
      area.querySelector(`#${id}`)?.replaceChildren(...opts.map(([value, text]) => h('option', { value, text })));
    }
    table.redraw();
  }).catch((e) => message.fail(e));
}
