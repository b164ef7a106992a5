// The plan's targets as a dashboard: for each target its value, the actual
// so far, the linear pace it should have reached by now (a tick on its
// bar), its status in words and colour, and the units not yet covered;
// an accessible SVG chart with the full table beside it. Then a report for
// a period to download as CSV or JSON.
import * as api from './api.js';
import { h, problem, user } from './console.js';
import { all, inScope, unitOptions } from './ui.js';
import { current } from './i18n.js';
import { barChart, num, dec } from '/shared/charts.js';
import * as f from './format.js';

const words = {
  vi: {
    title: 'Tiến độ kế hoạch', period: 'Kỳ (2026, 2026-Q3, 2026-WY, 2025-2026-HK1…)', show: 'Xem', asOf: (d, u) => `Tính đến ngày ${d}, ${u}.`,
    chart: 'Mức hoàn thành so với chỉ tiêu (vạch đứng: nhịp cần đạt đến hôm nay)', target: 'Chỉ tiêu', value: 'Chỉ tiêu đặt ra', actual: 'Đã thực hiện',
    pace: 'Nhịp cần đạt', status: 'Trạng thái', uncovered: 'Chưa thực hiện', done: 'Mức hoàn thành', of: 'trên',
    statuses: { met: 'Đạt', on_track: 'Đúng tiến độ', behind: 'Chậm' }, noTargets: 'Không có chỉ tiêu nào cho kỳ và đơn vị này.',
    report: 'Tải báo cáo', reportPeriod: 'Kỳ báo cáo', csv: 'Tải CSV', json: 'Tải JSON', needPeriod: 'Hãy nhập kỳ báo cáo, ví dụ 2026-Q3.',
    planTarget: (n) => `Chỉ tiêu ${n}`, none: '—', unit: 'Đơn vị', mine: 'Đơn vị của tôi',
  },
  en: {
    title: 'Plan progress', period: 'Period (2026, 2026-Q3, 2026-WY, 2025-2026-HK1…)', show: 'Show', asOf: (d, u) => `Up to ${d}, ${u}.`,
    chart: 'Done against each target (upright tick: the pace needed by today)', target: 'Target', value: 'Target value', actual: 'Done so far',
    pace: 'Pace needed', status: 'Status', uncovered: 'Not yet covered', done: 'Done', of: 'of',
    statuses: { met: 'Met', on_track: 'On track', behind: 'Behind' }, noTargets: 'No target for this period and unit.',
    report: 'Download a report', reportPeriod: 'Report period', csv: 'Download CSV', json: 'Download JSON', needPeriod: 'Enter a report period, e.g. 2026-Q3.',
    planTarget: (n) => `Target ${n}`, none: '—', unit: 'Unit', mine: 'My unit',
  },
};
const w = (key, ...args) => { const v = (words[current()] || words.vi)[key]; return typeof v === 'function' ? v(...args) : v; };

// What a target measures, in the words the API gives it (`name`).
const metric = (x) => (x.name ? x.name[current()] || x.name.vi : x.metric);

// The first and last day of a period the API names, where it can be read
// without the school calendar (a school term cannot: no pace is drawn).
function span(period) {
  const d = (y, m, day) => Date.UTC(y, m - 1, day);
  const end = (y, m) => d(y, m + 1, 0);
  let m;
  if ((m = /^(\d{4})$/.exec(period))) return [d(+m[1], 1, 1), end(+m[1], 12)];
  if ((m = /^(\d{4})-H([12])$/.exec(period))) return m[2] === '1' ? [d(+m[1], 1, 1), end(+m[1], 6)] : [d(+m[1], 7, 1), end(+m[1], 12)];
  if ((m = /^(\d{4})-Q([1-4])$/.exec(period))) { const q = +m[2]; return [d(+m[1], q * 3 - 2, 1), end(+m[1], q * 3)]; }
  if ((m = /^(\d{4})-(\d{2})$/.exec(period))) return [d(+m[1], +m[2], 1), end(+m[1], +m[2])];
  if ((m = /^(\d{4})-WY$/.exec(period))) return [d(+m[1] - 1, 12, 1), end(+m[1], 11)];
  if ((m = /^(\d{4})\.\.(\d{4})$/.exec(period))) return [d(+m[1], 1, 1), end(+m[2], 12)];
  if ((m = /^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$/.exec(period))) return [d(+m[1], +m[2], +m[3]), d(+m[4], +m[5], +m[6])];
  return null;
}
// The share of the target a linear pace reaches by `asOf` (YYYY-MM-DD), or null.
export function pace(period, asOf) {
  const s = span(period);
  if (!s) return null;
  const [y, mo, da] = asOf.split('-').map(Number);
  const today = Date.UTC(y, mo - 1, da);
  const days = (s[1] - s[0]) / 86400000 + 1;
  const gone = (today - s[0]) / 86400000 + 1;
  return Math.min(Math.max(gone / days, 0), 1);
}

const dmy = (ymd) => (ymd ? ymd.split('-').reverse().join('/') : '');

function dashboard(p) {
  if (!p.targets.length) return h('p', { id: 'progress-none', text: w('noTargets') });
  const rows = p.targets.map((x) => {
    const expected = pace(x.period, p.as_of);
    const unit = (v) => (x.measures === 'percent_of_units' ? `${dec(v)}%` : num(v));
    return {
      label: `${x.plan_target ? `${w('planTarget', x.plan_target)}: ` : ''}${metric(x)} (${x.period})`,
      value: Math.round(x.share * 1000) / 10,
      mark: expected === null ? null : expected * 100,
      kind: x.status === 'behind' ? 'behind' : 'ahead',
      target: x,
      text: `${unit(x.actual)} ${w('of')} ${unit(x.value)} · ${w('statuses')[x.status] || x.status}`,
      paceText: expected === null ? w('none') : unit(expected * x.value),
    };
  });
  const max = Math.max(100, ...rows.map((r) => r.value));
  return barChart({
    id: 'progress-chart', lang: current(), title: w('chart'), rows, max, table: 'below', stacked: true,
    tableFormat: (v) => `${dec(v)}%`,
    labelHeader: w('target'), valueHeader: w('done'),
    format: (v, r) => (r ? `${dec(v)}% · ${r.text}` : `${dec(v)}%`),
    columns: [
      { header: w('value'), num: true, value: (r) => (r.target.measures === 'percent_of_units' ? `${dec(r.target.value)}%` : num(r.target.value)) },
      { header: w('actual'), num: true, value: (r) => (r.target.measures === 'percent_of_units' ? `${dec(r.target.actual)}%` : num(r.target.actual)) },
      { header: w('pace'), num: true, value: (r) => r.paceText },
      { header: w('status'), value: (r) => w('statuses')[r.target.status] || r.target.status },
      { header: w('uncovered'), value: (r) => r.target.uncovered_units.map((u) => u.name?.[current()] || u.name?.vi || u.code).join(', ') || w('none') },
    ],
  });
}

export function show(main) {
  const view = h('div', { id: 'progress-screen' });
  main.replaceChildren(view);
  const period = h('input', { type: 'text', id: 'progress-period', size: 14 });
  let generation = 0;
  // The unit whose targets these are: by default the caller's own; staff
  // with none (the city's) start on the first district they cover, as the
  // API asks a unit of them in a city of several districts.
  const unit = h('select', { id: 'progress-unit' }, h('option', { value: '', text: w('mine') }));
  const out = h('div', { id: 'progress-out' });
  const error = h('p', { class: 'error', role: 'alert', id: 'progress-error' });
  const load = async (ev) => {
    ev?.preventDefault();
    const mine = ++generation;
    error.textContent = '';
    out.replaceChildren(h('p', { class: 'muted', text: '…' }));
    let p;
    try { p = await api.get(`/progress${api.qs({ period: period.value.trim(), unit_id: unit.value })}`); } catch (e) {
      if (mine === generation) { out.replaceChildren(); error.textContent = problem(e); }
      return;
    }
    // An answer overtaken by a later "Show" is dropped.
    if (mine !== generation) return;
    const name = p.unit.name?.[current()] || p.unit.name?.vi || p.unit.code;
    out.replaceChildren(h('p', { class: 'muted', id: 'progress-as-of', text: w('asOf', dmy(p.as_of), name) }), dashboard(p));
  };
  const reportPeriod = h('input', { type: 'text', id: 'report-period', size: 14 });
  const reportError = h('p', { class: 'error', role: 'alert', id: 'report-error' });
  const get = (format) => async () => {
    reportError.textContent = '';
    const p = reportPeriod.value.trim();
    if (!p) { reportError.textContent = w('needPeriod'); return; }
    try {
      const href = await api.download(`/reports${api.qs({ period: p, format, lang: current() })}`);
      const a = h('a', { href, download: `bao-cao-${p}.${format}`, id: `report-link-${format}` });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60000);
    } catch (e) { reportError.textContent = problem(e); }
  };
  view.replaceChildren(
    h('h1', { text: w('title') }),
    h('form', { class: 'toolbar', id: 'progress-form', novalidate: true, onsubmit: load },
      h('div', {}, h('label', { for: 'progress-period', text: w('period') }), period),
      h('div', {}, h('label', { for: 'progress-unit', text: w('unit') }), unit),
      h('button', { type: 'submit', id: 'progress-show', text: w('show') })),
    error, out,
    h('section', { class: 'card', 'aria-labelledby': 'report-h' },
      h('h2', { id: 'report-h', text: w('report') }),
      h('div', { class: 'toolbar' },
        h('div', {}, h('label', { for: 'report-period', text: w('reportPeriod') }), reportPeriod),
        h('button', { type: 'button', id: 'report-csv', class: 'secondary', text: w('csv'), onclick: get('csv') }),
        h('button', { type: 'button', id: 'report-json', class: 'secondary', text: w('json'), onclick: get('json') })),
      reportError));
  all('/units').then((units) => {
    const mine = inScope(units, user());
    unit.append(...unitOptions(mine).map(([value, text]) => h('option', { value, text })));
    if (!user().unit_id) unit.value = mine.find((u) => u.kind === 'district')?.id || '';
  }).catch(() => {}).finally(() => load());
  return null;
}
