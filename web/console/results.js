// Results for staff: each question of a survey as a bar chart, for
// everyone and per group of a breakdown (age band, gender, ward, month),
// for the units the caller's scope covers or one of them, with the table
// behind each chart and what disclosure control hides shown
// as hidden, never 0; the CSV of the same figures to download.
import * as api from './api.js';
import { h, problem, user } from './console.js';
import { current } from './i18n.js';
import { questionFigures, num } from '/shared/charts.js';
import * as f from './format.js';
import { all, inScope, unitOptions } from './ui.js';

const words = {
  vi: {
    title: 'Kết quả khảo sát', survey: 'Khảo sát', by: 'Chia theo', none: 'Không chia', age_band: 'Độ tuổi', gender: 'Giới tính',
    unit: 'Phường, xã', period: 'Tháng', from: 'Từ tháng (mm/yyyy)', to: 'Đến tháng (mm/yyyy)', show: 'Xem',
    release: (n, d) => `Đợt công bố ${n}, ngày ${d}.`, noRelease: 'Chưa có đợt công bố nào: chưa đủ câu trả lời.',
    waiting: (n) => `${n} câu trả lời đang chờ đợt công bố sau.`, csv: 'Tải CSV', noSurveys: 'Chưa có khảo sát nào đã công bố.',
    badMonth: 'Tháng chưa đúng dạng: 11/2026.', of: 'Của đơn vị', everywhere: 'Mọi đơn vị', mine: 'Cả phạm vi của tôi', method: (k) => `Số liệu qua kiểm soát công bố: số dưới ${k} không được công bố.`,
  },
  en: {
    title: 'Survey results', survey: 'Survey', by: 'Break down by', none: 'No breakdown', age_band: 'Age band', gender: 'Gender',
    unit: 'Ward', period: 'Month', from: 'From month (mm/yyyy)', to: 'To month (mm/yyyy)', show: 'Show',
    release: (n, d) => `Release ${n}, ${d}.`, noRelease: 'No release yet: not enough answers.',
    waiting: (n) => `${n} responses wait for the next release.`, csv: 'Download CSV', noSurveys: 'No published survey yet.',
    badMonth: 'A month is not in the right form: 11/2026.', of: 'Of the unit', everywhere: 'All units', mine: 'All my units', method: (k) => `Figures under disclosure control: counts under ${k} are never published.`,
  },
};
const w = (key, ...args) => { const v = (words[current()] || words.vi)[key]; return typeof v === 'function' ? v(...args) : v; };

// "11/2026" → the first or the last day of that month, or null.
function month(text, last) {
  const m = /^\s*(\d{1,2})\/(\d{4})\s*$/.exec(text || '');
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 12) return null;
  const mm = m[1].padStart(2, '0');
  if (!last) return `${m[2]}-${mm}-01`;
  const end = new Date(Date.UTC(Number(m[2]), Number(m[1]), 0)).getUTCDate();
  return `${m[2]}-${mm}-${end}`;
}

export function show(main) {
  const view = h('div', { id: 'results-screen' }, h('h1', { text: w('title') }), h('p', { class: 'muted', text: '…' }));
  main.replaceChildren(view);
  // The units to narrow to: those the caller's scope covers (the API
  // refuses any other), today's tree.
  Promise.all([api.get('/surveys?status=published&limit=100'), all('/units')]).then(([page, units]) => {
    if (!page.items.length) { view.replaceChildren(h('h1', { text: w('title') }), h('p', { text: w('noSurveys') })); return; }
    const survey = h('select', { id: 'results-survey' }, page.items.map((s) => h('option', { value: s.id, text: s.title_vi })));
    const by = h('select', { id: 'results-by' }, ['', 'age_band', 'gender', 'unit', 'period'].map((b) => h('option', { value: b, text: w(b || 'none') })));
    const facilitator = user()?.role === 'facilitator';
    const unit = h('select', { id: 'results-unit' }, h('option', { value: '', text: w(facilitator ? 'mine' : 'everywhere') }),
      unitOptions(inScope(units, user())).map(([value, text]) => h('option', { value, text })));
    const from = h('input', { type: 'text', id: 'results-from', size: 8 });
    const to = h('input', { type: 'text', id: 'results-to', size: 8 });
    const out = h('div', { id: 'results-out', 'aria-live': 'polite' });
    const error = h('p', { class: 'error', role: 'alert', id: 'results-error' });
    const query = () => {
      const q = { by: by.value, lang: current() };
      if (by.value === 'unit') q.unit_level = 'ward';
      if (unit.value) q.unit_id = unit.value;
      if (from.value.trim()) { const d = month(from.value, false); if (!d) return null; q.from = d; }
      if (to.value.trim()) { const d = month(to.value, true); if (!d) return null; q.to = d; }
      return q;
    };
    const load = async (ev) => {
      ev?.preventDefault();
      error.textContent = '';
      const q = query();
      if (!q) { error.textContent = w('badMonth'); return; }
      out.replaceChildren(h('p', { class: 'muted', text: '…' }));
      let r;
      try { r = await api.get(`/surveys/${survey.value}/results${api.qs(q)}`); } catch (e) { out.replaceChildren(); error.textContent = problem(e); return; }
      const csv = h('button', { type: 'button', class: 'secondary', id: 'results-csv', text: w('csv'), onclick: async () => {
        try {
          const href = await api.download(`/surveys/${survey.value}/results.csv${api.qs(q)}`);
          const a = h('a', { href, download: `ket-qua-${survey.value}.csv` });
          document.body.append(a); a.click(); a.remove();
          setTimeout(() => URL.revokeObjectURL(href), 60000);
        } catch (e) { error.textContent = problem(e); }
      } });
      const released = r.release.number > 0;
      out.replaceChildren(
        h('h2', { text: r.survey_title }),
        h('p', { class: 'muted', id: 'results-release' },
          released ? w('release', f.num(r.release.number), f.date(r.release.released_at)) : w('noRelease'),
          r.release.waiting ? ` ${w('waiting', num(r.release.waiting))}` : '',
          ` ${w('method', num(r.disclosure.threshold))}`),
        h('p', {}, csv),
        ...(released ? r.questions : []).map((q2) => questionFigures(q2, { lang: current(), groups: r.groups, threshold: r.disclosure.threshold, groupsToo: Boolean(by.value), table: 'beside' })));
    };
    view.replaceChildren(
      h('h1', { text: w('title') }),
      h('form', { class: 'toolbar', id: 'results-form', novalidate: true, onsubmit: load },
        h('div', {}, h('label', { for: 'results-survey', text: w('survey') }), survey),
        h('div', {}, h('label', { for: 'results-unit', text: w('of') }), unit),
        h('div', {}, h('label', { for: 'results-by', text: w('by') }), by),
        h('div', {}, h('label', { for: 'results-from', text: w('from') }), from),
        h('div', {}, h('label', { for: 'results-to', text: w('to') }), to),
        h('button', { type: 'submit', id: 'results-show', text: w('show') })),
      error, out);
    load();
  }).catch((e) => view.replaceChildren(h('h1', { text: w('title') }), h('p', { class: 'error', text: problem(e) })));
  return null;
}
