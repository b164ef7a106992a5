// Dates and numbers the Vietnamese way, whatever the language of the words:
// 25/11/2026, 09:00, 1.234. Times are Hà Nội's (UTC+7, no summer time).
const TZ = 'Asia/Ho_Chi_Minh';
const dateFmt = new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: TZ });
const timeFmt = new Intl.DateTimeFormat('vi-VN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: TZ });
const numFmt = new Intl.NumberFormat('vi-VN');

export const date = (iso) => (iso ? dateFmt.format(new Date(iso)) : '');
export const time = (iso) => (iso ? timeFmt.format(new Date(iso)) : '');
export const dateTime = (iso) => (iso ? `${date(iso)} ${time(iso)}` : '');
export const num = (n) => numFmt.format(n ?? 0);

// "25/11/2026" and "09:00" in Hà Nội → an RFC 3339 instant, or null.
export function instant(day, hm) {
  const d = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(day || '');
  const t = /^\s*(\d{1,2})[:h.](\d{2})\s*$/.exec(hm || '');
  if (!d || !t) return null;
  const p = (s) => s.padStart(2, '0');
  const iso = `${d[3]}-${p(d[2])}-${p(d[1])}T${p(t[1])}:${t[2]}:00+07:00`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

// The join code in groups of four, easier to copy from the board.
export const grouped = (code) => code.replace(/(.{4})(?=.)/g, '$1 ');
