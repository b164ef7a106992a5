// The public results of surveys that publish them, as simple charts for
// children: the surveys from GET /public/catalog, then each question's
// figures for everyone from GET /public/surveys/{id}/results, drawn by the
// shared chart module (what is hidden to protect children is said so,
// never shown as 0). Loaded only when a child asks for it, so the first
// screen stays light.
import { questionFigures, num } from '/shared/charts.js';

const words = {
  vi: {
    title: 'Kết quả khảo sát',
    intro: 'Đây là những gì các bạn đã trả lời. Số nhỏ được che đi để giữ bí mật cho từng bạn.',
    pick: 'Em muốn xem khảo sát nào?',
    none: 'Chưa có khảo sát nào công bố kết quả.',
    notYet: 'Chưa đủ bạn trả lời để công bố. Em quay lại sau nhé!',
    release: (d) => `Cập nhật ngày ${d}`,
    others: 'Xem khảo sát khác',
    failed: 'Chưa tải được. Em thử lại sau nhé.',
    loading: 'Đang tải…',
  },
  en: {
    title: 'Survey results',
    intro: 'This is what children answered. Small numbers are hidden to keep each child\u2019s answer secret.',
    pick: 'Which survey would you like to see?',
    none: 'No survey has published its results yet.',
    notYet: 'Not enough children have answered yet. Come back later!',
    release: (d) => `Updated ${d}`,
    others: 'See another survey',
    failed: 'Could not load. Please try again later.',
    loading: 'Loading…',
  },
};

const dateFmt = new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Asia/Ho_Chi_Minh' });

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

async function get(path, lang) {
  const res = await fetch(`/api/v1${path}`, { headers: { Accept: 'application/json', 'Accept-Language': lang }, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

/**
 * Fills `box` with the list of surveys whose results are public, and a
 * survey's charts when the child picks one. `home` is the app's button
 * back to its menu; `focus` moves the focus to the new screen.
 */
export async function show(box, { lang, home, focus = () => {} }) {
  const w = words[lang] || words.vi;
  const fail = () => box.replaceChildren(el('h1', { text: w.title }), el('p', { class: 'error', role: 'alert', text: w.failed }), el('div', { class: 'nav' }, home));
  let catalog;
  try { catalog = await get(`/public/catalog?lang=${lang}`, lang); } catch { fail(); return; }
  const list = () => {
    box.replaceChildren(
      el('h1', { text: w.title }),
      el('p', { text: w.intro }),
      catalog.surveys.length
        ? el('div', { class: 'choices', id: 'public-surveys' },
          el('p', { text: w.pick }),
          catalog.surveys.map((s) => el('button', { type: 'button', class: 'secondary', 'data-survey': s.id, text: s.title, onclick: () => survey(s.id) })))
        : el('p', { id: 'no-public-surveys', text: w.none }),
      el('div', { class: 'nav' }, home));
    focus();
  };
  const survey = async (id) => {
    box.replaceChildren(el('h1', { text: w.title }), el('p', { role: 'status', text: w.loading }));
    let r;
    try { r = await get(`/public/surveys/${id}/results?lang=${lang}`, lang); } catch { fail(); return; }
    const released = r.release.number > 0;
    box.replaceChildren(
      el('h1', { text: r.survey_title }),
      el('p', { class: 'hint', text: released ? w.release(dateFmt.format(new Date(r.release.released_at))) : w.notYet }),
      el('div', { id: 'public-results', 'data-respondents': released ? num(r.questions[0]?.total?.respondents || 0) : null },
        released ? r.questions.map((q) => questionFigures(q, { lang, threshold: r.disclosure.threshold, groupsToo: false })) : null),
      el('div', { class: 'nav' },
        catalog.surveys.length > 1 ? el('button', { type: 'button', class: 'secondary', id: 'other-survey', text: w.others, onclick: list }) : el('span'),
        home));
    focus();
  };
  if (catalog.surveys.length === 1) await survey(catalog.surveys[0].id);
  else list();
}
