// Accessible bar charts for every client (the children's app, the public
// page, the console): horizontal bars drawn as SVG with a title and a
// description, and a <table> with the same figures beside or behind each
// chart. No library, nothing inline: colours and sizes come from classes
// (charts.css, loaded once by this module), so the strict
// Content-Security-Policy of each client holds.
//
// Disclosure control: a published count of 0 may stand for a few children
// (counts from 1 to k − 1 are never published), so it is never drawn or
// written as zero: it is hatched and said to be hidden to protect children.
// The same for a mean or a median a group is too small to have.

const SVG = 'http://www.w3.org/2000/svg';
let serial = 0;

const words = {
  vi: {
    hidden: 'ẩn để bảo vệ trẻ em',
    hiddenShort: 'ẩn',
    hiddenNote: (k) => `Ô gạch chéo: ít hơn ${k} em hoặc không em nào. Số nhỏ như vậy không được công bố, để không ai đoán ra câu trả lời của một em.`,
    table: 'Xem bảng số liệu',
    answer: 'Câu trả lời',
    children: 'Số em',
    share: 'Tỷ lệ',
    respondents: (n) => `${n} em trả lời`,
    childrenN: (n) => `${n} em`,
    described: (title, parts) => `${title}. ${parts.join('; ')}.`,
    mean: 'Trung bình', median: 'Trung vị', q1: 'Phần tư thứ nhất', q3: 'Phần tư thứ ba',
    meanRank: 'Thứ hạng trung bình (1 là được chọn đầu tiên)',
    textAnswers: (n) => `${n} em viết câu trả lời. Lời các em không được công bố ở đây.`,
    figure: 'Chỉ số',
    value: 'Giá trị',
    all: 'Tất cả',
  },
  en: {
    hidden: 'hidden to protect children',
    hiddenShort: 'hidden',
    hiddenNote: (k) => `Hatched: fewer than ${k} children, or none. Counts that small are never published, so that nobody can work out one child's answer.`,
    table: 'Show the figures as a table',
    answer: 'Answer',
    children: 'Children',
    share: 'Share',
    respondents: (n) => `${n} children answered`,
    childrenN: (n) => `${n} children`,
    described: (title, parts) => `${title}. ${parts.join('; ')}.`,
    mean: 'Mean', median: 'Median', q1: 'First quartile', q3: 'Third quartile',
    meanRank: 'Average place (1 = chosen first)',
    textAnswers: (n) => `${n} children wrote an answer. Their words are not published here.`,
    figure: 'Figure',
    value: 'Value',
    all: 'Everyone',
  },
};
const w = (lang) => words[lang] || words.vi;

// Numbers the Vietnamese way whatever the language of the words: 1.234, 62,5.
const whole = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
export const num = (n) => whole.format(n ?? 0);
export const dec = (n) => decimal.format(n ?? 0);
export const percent = (share) => `${whole.format(Math.round((share ?? 0) * 100))}%`;

// The chart's classes, from a stylesheet beside this module (style-src 'self').
function ensureStyles() {
  if (document.getElementById('charts-css')) return;
  const link = document.createElement('link');
  link.id = 'charts-css';
  link.rel = 'stylesheet';
  link.href = new URL('./charts.css', import.meta.url).pathname;
  document.head.append(link);
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}
function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// Text width as the chart will draw it: measured by the browser in an SVG
// text of the chart's own class (and so font), inside the chart's box.
function measurer(box) {
  const probe = svg('svg', { class: 'chart-svg chart-probe', width: 1, height: 1, 'aria-hidden': 'true' });
  const texts = { label: svg('text', { class: 'chart-label' }), value: svg('text', { class: 'chart-value' }) };
  probe.append(texts.label, texts.value);
  box.append(probe);
  const cache = new Map();
  const measure = (text, kind) => {
    const key = `${kind}\u0000${text}`;
    if (!cache.has(key)) {
      texts[kind].textContent = text;
      cache.set(key, texts[kind].getComputedTextLength());
    }
    return cache.get(key);
  };
  return { measure, done: () => probe.remove() };
}
function wrap(text, width, measure, kind) {
  const out = [];
  let line = '';
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next, kind) > width) { out.push(line); line = word; } else line = next;
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}

// What a row's value reads: "12 em · 48%", or hidden.
function valueText(row, lang, format) {
  if (row.suppressed) return w(lang).hidden;
  if (format) return format(row.value, row);
  const n = w(lang).childrenN(num(row.value));
  return row.share === null || row.share === undefined ? n : `${n} · ${percent(row.share)}`;
}

// Draws the bars into `box` at its current width and font size.
function draw(box, o) {
  const style = getComputedStyle(box);
  const fs = parseFloat(style.fontSize) || 16;
  const width = Math.max(box.clientWidth, 120);
  const lineH = Math.round(fs * 1.3);
  const barH = Math.round(fs * 1.5);
  const gap = Math.round(fs * 0.8);
  const values = o.rows.map((r) => valueText(r, o.lang, o.format));
  const { measure, done } = measurer(box);
  const valueW = Math.max(...values.map((v) => measure(v, 'value')), 0) + fs * 0.6;
  // The value beside its bar where there is room for both, else under it
  // (a small phone, large text), wrapped if it must.
  const stacked = o.stacked || valueW > width * 0.45;
  const track = stacked ? width : width - valueW;
  const max = o.max ?? Math.max(...o.rows.filter((r) => !r.suppressed).map((r) => r.value), 0);
  const id = `chart-${++serial}`;
  const pattern = svg('pattern', { id: `${id}-hatch`, patternUnits: 'userSpaceOnUse', width: 8, height: 8, patternTransform: 'rotate(45)' },
    svg('rect', { width: 8, height: 8, class: 'chart-hatch-bg' }),
    svg('line', { x1: 0, y1: 0, x2: 0, y2: 8, class: 'chart-hatch-line' }));
  const lines = (text, x, top, kind) => {
    const t = svg('text', { x, y: top + fs });
    wrap(text, width - x, measure, kind).forEach((l, j) => t.append(svg('tspan', { x, dy: j === 0 ? 0 : lineH }, l)));
    return t;
  };
  const parts = [];
  let y = 0;
  o.rows.forEach((r, i) => {
    const label = lines(r.label, 0, y, 'label');
    label.setAttribute('class', 'chart-label');
    y += label.childNodes.length * lineH + Math.round(fs * 0.25);
    let barW;
    let bar;
    if (r.suppressed) {
      barW = Math.min(track, fs * 3);
      bar = svg('rect', { class: 'chart-hidden', x: 0, y, width: barW, height: barH, fill: `url(#${id}-hatch)` });
    } else {
      barW = max > 0 ? Math.min(Math.max((r.value / max) * track, r.value > 0 ? 2 : 0), track) : 0;
      bar = svg('rect', { class: `chart-bar ${r.kind || o.kind || ''}`, x: 0, y, width: barW.toFixed(1), height: barH, rx: 3 });
    }
    // A row's own reference (a target's pace): a tick across its bar.
    const tick = r.mark !== undefined && r.mark !== null && max > 0
      ? svg('line', { class: 'chart-mark', x1: (Math.min(r.mark / max, 1) * track).toFixed(1), y1: y - 3, x2: (Math.min(r.mark / max, 1) * track).toFixed(1), y2: y + barH + 3 })
      : null;
    // Where a row has a reference, the whole track is drawn so that the
    // bar and its tick read against the scale's end.
    const back = tick ? svg('rect', { class: 'chart-track', x: 0, y, width: track.toFixed(1), height: barH, rx: 3 }) : null;
    let value;
    if (stacked) {
      value = lines(values[i], 0, y + barH + Math.round(fs * 0.2), 'value');
      y += barH + Math.round(fs * 0.2) + value.childNodes.length * lineH;
    } else {
      value = svg('text', { x: (barW + fs * 0.4).toFixed(1), y: y + barH * 0.72 }, values[i]);
      y += barH;
    }
    value.setAttribute('class', r.suppressed ? 'chart-value suppressed' : 'chart-value');
    parts.push(svg('g', { class: 'chart-row', 'data-row': i, 'data-suppressed': r.suppressed ? 'true' : null }, label, back, bar, tick, value));
    y += gap;
  });
  // A reference line (a target, a pace) across the track, if asked.
  if (o.mark && max > 0) {
    const x = Math.min(o.mark.value / (o.max ?? max), 1) * track;
    parts.push(svg('line', { class: 'chart-mark', x1: x.toFixed(1), y1: 0, x2: x.toFixed(1), y2: y - gap }));
  }
  done();
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const chart = svg('svg', {
    class: 'chart-svg', role: 'img', width, height: Math.max(y - gap, 1), viewBox: `0 0 ${width} ${Math.max(y - gap, 1)}`,
    'aria-labelledby': `${titleId} ${descId}`, focusable: 'false',
  },
  svg('title', { id: titleId }, o.title),
  svg('desc', { id: descId }, w(o.lang).described(o.description || o.title, o.rows.map((r, i) => `${r.label}: ${values[i]}`))),
  svg('defs', {}, pattern),
  ...parts);
  box.replaceChildren(chart);
}

// The figures as a table: one row per bar, hidden cells said to be hidden.
function table(o) {
  const W = w(o.lang);
  const hasShare = o.rows.some((r) => r.share !== null && r.share !== undefined);
  const extra = o.columns || [];
  const head = [o.labelHeader || W.answer, o.valueHeader || W.children, ...(hasShare ? [W.share] : []), ...extra.map((c) => c.header)];
  return scroller(el('table', { class: 'chart-table' },
    el('caption', {}, o.title),
    el('thead', {}, el('tr', {}, head.map((x, i) => el('th', { scope: 'col', class: i ? 'num' : null }, x)))),
    el('tbody', {}, o.rows.map((r) => el('tr', { 'data-suppressed': r.suppressed ? 'true' : null },
      el('th', { scope: 'row' }, r.label),
      el('td', { class: r.suppressed ? 'num suppressed' : 'num' }, r.suppressed ? W.hidden : ((o.tableFormat || o.format) ? (o.tableFormat || o.format)(r.value, r) : num(r.value))),
      hasShare ? el('td', { class: 'num' }, r.suppressed || r.share === null || r.share === undefined ? '—' : percent(r.share)) : null,
      extra.map((c) => el('td', { class: c.num ? 'num' : null }, c.value(r))))))), o.title);
}

// A table that may be wider than a small screen at large text scrolls on
// its own (reachable by keyboard) instead of widening the page.
function scroller(tableEl, label) {
  return el('div', { class: 'chart-scroll', tabindex: '0', role: 'region', 'aria-label': label }, tableEl);
}

/**
 * A horizontal bar chart with its table.
 *
 * rows: [{ label, value, share?, suppressed? }]; title: what it shows;
 * description: a sentence for screen readers (default the title);
 * table: 'behind' (a disclosure under the chart, default), 'beside' or
 * 'below' (open, for wide tables); stacked: values under their bars;
 * tableFormat: value → text in the table (default `format`);
 * note: a line under the chart; threshold: k, to explain hatched bars;
 * format: value → text (default "12 em · 48%"); a row's `mark` draws a
 * tick across its bar (a pace) and its `kind` a class (`behind`, `ahead`);
 * columns: [{ header, value: row → text, num }] adds columns to the table;
 * mark: { value } draws a
 * reference line; max: the scale's end (default the largest value).
 */
export function barChart(o) {
  ensureStyles();
  const lang = o.lang || 'vi';
  const opts = { ...o, lang };
  const W = w(lang);
  const box = el('div', { class: 'chart-box' });
  const figure = el('figure', { class: `chart table-${o.table || 'behind'}` });
  if (o.id) figure.id = o.id;
  figure.append(el('figcaption', { class: 'chart-title' }, o.title));
  if (o.subtitle) figure.append(el('p', { class: 'chart-subtitle' }, o.subtitle));
  const data = table(opts);
  if ((o.table || 'behind') === 'beside') {
    figure.append(el('div', { class: 'chart-pair' }, box, data));
  } else if (o.table === 'below') {
    figure.append(box, data);
  } else {
    figure.append(box, el('details', { class: 'chart-details' }, el('summary', {}, W.table), data));
  }
  if (o.rows.some((r) => r.suppressed)) figure.append(el('p', { class: 'chart-note' }, W.hiddenNote(num(o.threshold ?? 5))));
  if (o.note) figure.append(el('p', { class: 'chart-note' }, o.note));
  // Drawn once it has a width, and again when the width or the text size changes.
  let last = '';
  const redraw = () => {
    const key = `${box.clientWidth}/${getComputedStyle(box).fontSize}`;
    if (!box.isConnected || key === last) return;
    last = key;
    draw(box, opts);
  };
  if (typeof ResizeObserver !== 'undefined') new ResizeObserver(redraw).observe(box);
  requestAnimationFrame(redraw);
  figure.redraw = () => { last = ''; redraw(); };
  return figure;
}

/** A figure that may be suppressed (null): its text. */
export const figureText = (v, lang) => (v === null || v === undefined ? w(lang).hidden : dec(v));

/**
 * One question of a results answer (`QuestionResultsDto`) as figures:
 * choice, yes/no and rating questions as bars (one chart for everyone,
 * one per group when `groups` are given); numbers as a table of mean and
 * quartiles; rankings as average places; text as how many wrote.
 * `groups` are the results' groups (their labels in words), `threshold` k.
 */
export function questionFigures(q, { lang = 'vi', groups = [], threshold = 5, table: where = 'behind', groupsToo = true } = {}) {
  ensureStyles();
  const W = w(lang);
  const labels = q.column_labels?.length ? q.column_labels : q.columns;
  const groupName = (i) => Object.values(groups[i]?.labels || {}).join(' · ') || W.all;
  const section = el('section', { class: 'question-figures', 'data-question': q.key });
  const sets = [{ name: null, figures: q.total }];
  if (groupsToo && groups.some((g) => Object.keys(g.labels || {}).length)) q.groups.forEach((g, i) => sets.push({ name: groupName(i), figures: g }));
  for (const { name, figures } of sets) {
    if (!figures) continue;
    const title = name ? `${q.text} — ${name}` : q.text;
    const subtitle = W.respondents(num(figures.respondents));
    if (['single_choice', 'multiple_choice', 'yes_no', 'rating'].includes(q.type)) {
      const rows = labels.map((label, i) => {
        const c = figures.counts?.[i] || { count: 0 };
        return { label: q.type === 'rating' ? `${label}` : label, value: c.count, share: c.share, suppressed: !c.count };
      });
      section.append(barChart({ title, subtitle, rows, lang, threshold, table: where }));
    } else if (q.type === 'ranking') {
      const ranks = figures.mean_rank;
      const rows = labels.map((label, i) => ({ label, value: ranks ? ranks[i] : 0, suppressed: !ranks }));
      section.append(barChart({
        title, subtitle: `${subtitle} · ${W.meanRank}`, rows, lang, threshold, table: where,
        valueHeader: W.meanRank, format: (v) => dec(v), max: labels.length,
      }));
    } else if (q.type === 'number') {
      const s = figures.stats || {};
      const rows = [['mean', s.mean], ['median', s.median], ['q1', s.q1], ['q3', s.q3]];
      section.append(el('figure', { class: 'chart' },
        el('figcaption', { class: 'chart-title' }, title),
        el('p', { class: 'chart-subtitle' }, subtitle),
        scroller(el('table', { class: 'chart-table' },
          el('caption', {}, title),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, W.figure), el('th', { scope: 'col', class: 'num' }, W.value))),
          el('tbody', {}, rows.map(([k, v]) => el('tr', { 'data-suppressed': v === null || v === undefined ? 'true' : null },
            el('th', { scope: 'row' }, W[k]),
            el('td', { class: v === null || v === undefined ? 'num suppressed' : 'num' }, figureText(v, lang)))))), title)));
    } else {
      section.append(el('figure', { class: 'chart' },
        el('figcaption', { class: 'chart-title' }, title),
        el('p', { class: 'chart-subtitle' }, figures.respondents ? W.textAnswers(num(figures.respondents)) : W.hidden)));
    }
  }
  return section;
}
