// The Children's Council's community page: "You said, we did" (the
// recommendations, the agencies' answers and their progress in words a
// child reads), the issues children raised that the Council published,
// and the results of surveys that publish them, as charts. A client of the
// public JSON API only: no sign-in, no cookie, nothing stored.
import { questionFigures, num } from '/shared/charts.js';
import { h as el } from '/shared/dom.js';

const words = {
  vi: {
    other: 'English', council: 'Hội đồng trẻ em', skip: 'Bỏ qua, đến nội dung', tabs: 'Các mục',
    youSaid: 'Các em nói, chúng tôi làm', issues: 'Ý kiến của các em', results: 'Kết quả khảo sát',
    youSaidIntro: 'Hội đồng trẻ em gửi ý kiến của các em đến các cơ quan. Đây là những gì các cơ quan trả lời và đã làm.',
    issuesIntro: 'Những ý kiến các em gửi mà Hội đồng đã công bố, và số bạn ủng hộ mỗi ý kiến.',
    resultsIntro: 'Các em đã trả lời những khảo sát này. Số liệu được làm tròn và che bớt để không ai đoán ra câu trả lời của một em.',
    topic: 'Chủ đề', place: 'Phường, xã', allTopics: 'Mọi chủ đề', allPlaces: 'Mọi nơi',
    sentOn: (d) => `Hội đồng gửi ngày ${d}`, readMore: 'Đọc đầy đủ', back: 'Quay lại trang chính',
    waiting: 'Đang chờ trả lời', late: (d) => `Chưa trả lời, đã quá hạn (hạn ${d})`, dueBy: (d) => `Hạn trả lời: ${d}`,
    stances: {
      accepted: 'Đồng ý và sẽ làm', partially_accepted: 'Đồng ý làm một phần', declined: 'Chưa đồng ý',
      not_responsible: 'Không phải việc của cơ quan này — Hội đồng sẽ gửi đến đúng nơi',
    },
    promises: 'Cơ quan hứa sẽ:', by: (d) => `hạn ${d}`,
    promiseStatus: { open: 'Chưa bắt đầu', in_progress: 'Đang làm', done: 'Đã xong' },
    update: (d, n) => `Cập nhật ${d}: ${n}`,
    letter: 'Xem công văn trả lời (PDF)',
    evidence: 'Các em đã trả lời trong khảo sát',
    none: 'Chưa có gì ở đây. Hãy thử chọn chủ đề hoặc nơi khác.',
    more: 'Xem thêm', loading: 'Đang tải…', failed: 'Chưa tải được. Xin thử lại sau.',
    supports: (n) => (n ? `${num(n)} bạn ủng hộ` : 'Chưa có bạn nào ủng hộ'),
    raisedOn: (d) => `Gửi ngày ${d}`,
    pickSurvey: 'Chọn một khảo sát để xem kết quả:', noSurveys: 'Chưa có khảo sát nào công bố kết quả.',
    release: (n, d) => `Số liệu đợt ${n}, cập nhật ngày ${d}.`, noRelease: 'Chưa đủ câu trả lời để công bố số liệu. Hãy quay lại sau.',
    by_: 'Xem theo', byNone: 'Tất cả các em', byAge: 'Độ tuổi', byGender: 'Giới tính',
    feed: 'Nguồn tin Atom', help: 'Em cần giúp đỡ? Gọi 111 — Tổng đài quốc gia bảo vệ trẻ em, miễn phí.',
    notFound: 'Không tìm thấy kiến nghị này.',
  },
  en: {
    other: 'Tiếng Việt', council: 'Children\u2019s Council', skip: 'Skip to content', tabs: 'Sections',
    youSaid: 'You said, we did', issues: 'What children raised', results: 'Survey results',
    youSaidIntro: 'The Children\u2019s Council takes what you said to the offices that decide. Here is what they answered and what they did.',
    issuesIntro: 'Issues children raised that the Council published, and how many children support each.',
    resultsIntro: 'Children answered these surveys. Figures are rounded and small ones hidden, so that nobody can work out one child\u2019s answer.',
    topic: 'Topic', place: 'Ward', allTopics: 'All topics', allPlaces: 'Everywhere',
    sentOn: (d) => `Sent by the Council on ${d}`, readMore: 'Read it all', back: 'Back to the main page',
    waiting: 'Waiting for an answer', late: (d) => `Not answered yet, late (due ${d})`, dueBy: (d) => `Answer due: ${d}`,
    stances: {
      accepted: 'Said yes and will do it', partially_accepted: 'Said yes to part of it', declined: 'Said no for now',
      not_responsible: 'Not this office\u2019s job — the Council will send it to the right one',
    },
    promises: 'The office promised to:', by: (d) => `by ${d}`,
    promiseStatus: { open: 'Not started', in_progress: 'Doing it', done: 'Done' },
    update: (d, n) => `Update ${d}: ${n}`,
    letter: 'Read the office\u2019s letter (PDF)',
    evidence: 'What children answered in a survey',
    none: 'Nothing here yet. Try another topic or place.',
    more: 'Show more', loading: 'Loading…', failed: 'Could not load. Please try again later.',
    supports: (n) => (n ? `${num(n)} children support this` : 'No support yet'),
    raisedOn: (d) => `Raised on ${d}`,
    pickSurvey: 'Choose a survey to see its results:', noSurveys: 'No survey has published its results yet.',
    release: (n, d) => `Figures of release ${n}, updated ${d}.`, noRelease: 'Not enough answers to publish figures yet. Come back later.',
    by_: 'Show by', byNone: 'All children', byAge: 'Age', byGender: 'Gender',
    feed: 'Atom feed', help: 'Need help? Call 111 — the national child protection line, free of charge.',
    notFound: 'This recommendation was not found.',
  },
};

let lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'vi';
const t = (key, ...args) => {
  const v = words[lang][key] ?? words.vi[key];
  return typeof v === 'function' ? v(...args) : v;
};
const main = document.getElementById('main');
let catalog = null;

// Dates the Vietnamese way in both languages: 25/11/2026.
const dateFmt = new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Asia/Ho_Chi_Minh' });
const date = (iso) => (iso ? dateFmt.format(new Date(iso)) : '');
const day = (ymd) => (ymd ? ymd.split('-').reverse().join('/') : '');

function say(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

async function get(path) {
  const res = await fetch(`/api/v1${path}`, { headers: { Accept: 'application/json', 'Accept-Language': lang }, credentials: 'omit' });
  if (!res.ok) { const e = new Error(`HTTP ${res.status}`); e.status = res.status; throw e; }
  return res.json();
}
const qs = (params) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  return u.toString();
};

// Where the page is: a recommendation's own address, or a section (hash)
// with its filters.
function where() {
  const rec = location.pathname.match(/^\/cong-dong\/r\/([0-9a-fA-F-]{36})$/);
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query || '');
  const [section, id] = path.split('/');
  return { rec: rec?.[1], section: section || '', id, topic: params.get('topic') || '', unit: params.get('unit') || '' };
}
const home = () => `/cong-dong/${lang === 'en' ? '?lang=en' : ''}`;
const link = (section, params = {}) => `${home()}#/${section}${qs(params) ? `?${qs(params)}` : ''}`;

function chrome(here) {
  document.documentElement.lang = lang;
  document.getElementById('brand').textContent = t('council');
  document.querySelector('.skip').textContent = t('skip');
  const button = document.getElementById('lang');
  button.textContent = t('other');
  button.lang = lang === 'vi' ? 'en' : 'vi';
  document.querySelector('.brand').setAttribute('href', home());
  const tabs = document.getElementById('tabs');
  tabs.setAttribute('aria-label', t('tabs'));
  tabs.replaceChildren(...[['', 'youSaid'], ['y-kien', 'issues'], ['ket-qua', 'results']].map(([s, key]) =>
    el('a', { href: link(s), 'aria-current': !here.rec && here.section === s ? 'page' : null, 'data-tab': s || 'feed', text: t(key) })));
  document.getElementById('foot').replaceChildren(
    el('p', {}, el('a', { href: `/api/v1/public/feed.atom${lang === 'en' ? '?lang=en' : ''}`, text: t('feed') })),
    el('p', {}, el('a', { href: 'tel:111', text: t('help') })));
}

function filters(here, section) {
  if (!catalog) return null;
  const go = () => { location.hash = `#/${section}${qs({ topic: topic.value, unit: unit.value }) ? `?${qs({ topic: topic.value, unit: unit.value })}` : ''}`; };
  const topic = el('select', { id: 'topic', onchange: go },
    el('option', { value: '', text: t('allTopics') }),
    catalog.topics.map((x) => el('option', { value: x.slug, selected: x.slug === here.topic, text: x.name })));
  const unit = el('select', { id: 'unit', onchange: go },
    el('option', { value: '', text: t('allPlaces') }),
    catalog.places.map((p) => el('option', { value: p.id, selected: p.id === here.unit, text: p.kind === 'ward' && p.parent_id ? `\u2003${p.name}` : p.name })));
  return el('div', { class: 'filters' },
    el('div', {}, el('label', { for: 'topic', text: t('topic') }), topic),
    el('div', {}, el('label', { for: 'unit', text: t('place') }), unit));
}

function answerNode(a) {
  const late = !a.stance && a.overdue;
  const cls = a.stance || (late ? 'late' : 'waiting');
  return el('div', { class: `answer ${cls}`, 'data-agency': a.agency_id },
    el('p', {}, el('strong', { text: a.agency }), ': ', el('span', { class: 'stance', text: a.stance ? t('stances')[a.stance] : t('waiting') })),
    a.reply ? el('p', { class: 'reply', text: `“${a.reply}”` }) : null,
    late ? el('p', { class: 'late-note', text: t('late', day(a.due_on)) }) : null,
    !a.stance && !late ? el('p', { class: 'muted', text: t('dueBy', day(a.due_on)) }) : null,
    a.commitments.length ? el('p', { class: 'promises-title', text: t('promises') }) : null,
    a.commitments.length ? el('ul', { class: 'promises' }, a.commitments.map((c) => {
      const latest = [...c.progress].reverse().find((p) => p.note);
      return el('li', { 'data-status': c.status },
        `${c.text} (${t('by', day(c.due_on))}) `, el('span', { class: `status ${c.status}`, text: t('promiseStatus')[c.status] }),
        latest ? el('p', { class: 'muted', text: t('update', date(latest.at), latest.note) }) : null);
    })) : null,
    a.letter_url ? el('p', {}, el('a', { href: a.letter_url, text: t('letter') })) : null);
}

function recNode(r, full) {
  const Title = full ? 'h1' : 'h2';
  return el(full ? 'article' : 'li', { class: 'card', 'data-rec': r.id },
    el('ul', { class: 'tags' }, r.topic_name ? el('li', { text: r.topic_name }) : null, r.unit_name ? el('li', { text: r.unit_name }) : null),
    el(Title, {}, full ? r.title : el('a', { href: `/cong-dong/r/${r.id}${lang === 'en' ? '?lang=en' : ''}`, text: r.title })),
    el('p', { class: 'muted', text: t('sentOn', date(r.sent_at)) }),
    el('p', { class: 'lead', text: r.child_summary }),
    r.answers.map(answerNode),
    full && r.evidence?.length ? el('section', { class: 'evidence', 'aria-labelledby': 'evidence-h' },
      el('h2', { id: 'evidence-h', text: t('evidence') }),
      r.evidence.map((e) => {
        const labels = e.labels || {};
        const q = { ...e.results, text: labels.question || e.results.text, column_labels: labels.columns?.length ? labels.columns : e.results.column_labels };
        return el('div', {},
          el('p', { class: 'muted', text: [labels.survey_title, labels.unit].filter(Boolean).join(' · ') }),
          questionFigures(q, { lang, threshold: e.disclosure?.threshold, groupsToo: false }));
      })) : null,
    full ? null : el('a', { class: 'more', href: `/cong-dong/r/${r.id}${lang === 'en' ? '?lang=en' : ''}`, text: `${t('readMore')} →` }));
}

function failed(title) {
  main.replaceChildren(el('h1', { text: title }), el('p', { class: 'error', role: 'alert', text: t('failed') }));
}

// A list that pages on with "show more".
async function pagedList(id, path, params, item) {
  const list = el('ul', { class: 'cards', id });
  const more = el('button', { type: 'button', class: 'secondary', id: `${id}-more`, hidden: true, text: t('more') });
  let cursor = null;
  const load = async () => {
    const page = await get(`${path}?${qs({ ...params, cursor })}`);
    list.append(...page.items.map(item));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    return page;
  };
  more.addEventListener('click', async () => {
    const before = list.children.length;
    try { await load(); } catch { more.replaceWith(el('p', { class: 'error', role: 'alert', text: t('failed') })); return; }
    list.children[before]?.querySelector('a, h2')?.focus?.();
    say(`${list.children.length}`);
  });
  const first = await load();
  return first.items.length ? [list, el('p', {}, more)] : [el('p', { id: `${id}-none`, text: t('none') })];
}

async function feedScreen(here) {
  document.title = `${t('youSaid')} — ${t('council')}`;
  main.replaceChildren(el('h1', { text: t('youSaid') }), el('p', { role: 'status', text: t('loading') }));
  try {
    const body = await pagedList('feed', '/public/feed', { limit: 10, lang, topic: here.topic, unit_id: here.unit }, (r) => recNode(r, false));
    main.replaceChildren(el('h1', { text: t('youSaid') }), el('p', { text: t('youSaidIntro') }), filters(here, ''), ...body);
  } catch { failed(t('youSaid')); }
}

async function issuesScreen(here) {
  document.title = `${t('issues')} — ${t('council')}`;
  main.replaceChildren(el('h1', { text: t('issues') }), el('p', { role: 'status', text: t('loading') }));
  const item = (i) => el('li', { class: 'card', 'data-issue': i.id },
    i.topic_name || i.ward_name ? el('ul', { class: 'tags' }, i.topic_name ? el('li', { text: i.topic_name }) : null,
      i.ward_name ? el('li', { class: 'ward' }, el('span', { class: 'visually-hidden', text: `${t('place')}: ` }), i.ward_name) : null) : null,
    el('h2', { text: i.title }),
    i.body ? el('p', { text: i.body }) : null,
    el('p', {}, el('span', { class: 'supports', text: `\u{1F44D} ${t('supports', i.supports)}` }), ' ', el('span', { class: 'muted', text: t('raisedOn', date(i.created_on)) })));
  try {
    const body = await pagedList('issues', '/public/issues', { limit: 20, topic: here.topic, unit_id: here.unit }, item);
    main.replaceChildren(el('h1', { text: t('issues') }), el('p', { text: t('issuesIntro') }), filters(here, 'y-kien'), ...body);
  } catch { failed(t('issues')); }
}

async function resultsScreen(here) {
  document.title = `${t('results')} — ${t('council')}`;
  const surveys = catalog?.surveys || [];
  const list = surveys.length
    ? el('ul', { class: 'survey-list', id: 'surveys' }, surveys.map((s) => el('li', {},
      el('a', { class: 'more', href: link(`ket-qua/${s.id}`), 'aria-current': s.id === here.id ? 'true' : null, text: s.title }))))
    : el('p', { id: 'surveys-none', text: t('noSurveys') });
  const head = [el('h1', { text: t('results') }), el('p', { text: t('resultsIntro') }), el('p', { text: t('pickSurvey') }), list];
  const chosen = here.id || (surveys.length === 1 ? surveys[0].id : null);
  if (!chosen) { main.replaceChildren(...head); return; }
  main.replaceChildren(...head, el('p', { role: 'status', text: t('loading') }));
  const by = new URLSearchParams(location.hash.split('?')[1] || '').get('by') || '';
  let r;
  try { r = await get(`/public/surveys/${chosen}/results?${qs({ lang, by })}`); } catch { failed(t('results')); return; }
  const pick = el('select', { id: 'by', onchange: () => { location.hash = `#/ket-qua/${chosen}${pick.value ? `?by=${pick.value}` : ''}`; } },
    [['', 'byNone'], ['age_band', 'byAge'], ['gender', 'byGender']].map(([v, k]) => el('option', { value: v, selected: v === by, text: t(k) })));
  const released = r.release.number > 0;
  main.replaceChildren(...head,
    el('section', { class: 'card', id: 'results', 'aria-labelledby': 'results-h' },
      el('h2', { id: 'results-h', text: r.survey_title }),
      el('p', { class: 'muted', text: released ? t('release', num(r.release.number), date(r.release.released_at)) : t('noRelease') }),
      released ? el('div', { class: 'filters' }, el('div', {}, el('label', { for: 'by', text: t('by_') }), pick)) : null,
      released ? r.questions.map((q) => questionFigures(q, { lang, groups: r.groups, threshold: r.disclosure.threshold, groupsToo: Boolean(by) })) : null));
}

async function recScreen(id) {
  main.replaceChildren(el('p', { role: 'status', text: t('loading') }));
  let r;
  try { r = await get(`/public/recommendations/${id}?lang=${lang}`); } catch (e) {
    main.replaceChildren(el('h1', { text: e.status === 404 ? t('notFound') : t('failed') }), el('p', {}, el('a', { href: home(), text: `← ${t('back')}` })));
    return;
  }
  document.title = `${r.title} — ${t('council')}`;
  main.replaceChildren(el('p', {}, el('a', { class: 'more', href: home(), text: `← ${t('back')}` })), recNode(r, true));
}

async function route() {
  const here = where();
  chrome(here);
  if (!catalog || catalog.lang !== lang) {
    try { catalog = await get(`/public/catalog?lang=${lang}`); } catch { catalog = null; }
  }
  if (here.rec) await recScreen(here.rec);
  else if (here.section === 'y-kien') await issuesScreen(here);
  else if (here.section === 'ket-qua') await resultsScreen(here);
  else await feedScreen(here);
  main.dataset.ready = 'true';
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  const u = new URL(location.href);
  if (lang === 'en') u.searchParams.set('lang', 'en'); else u.searchParams.delete('lang');
  history.replaceState(null, '', u);
  main.dataset.ready = '';
  route();
});
window.addEventListener('hashchange', () => { main.dataset.ready = ''; route().then(() => main.focus({ preventScroll: true })); });
route();
