// The public JSON API, as any client would call it.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function call(method, path, { token, body, lang, key } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  if (lang) headers['Accept-Language'] = lang;
  if (key) headers['Idempotency-Key'] = key;
  const res = await fetch(`/api/v1${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store',
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const assent = (body, lang) => call('POST', '/join/assent', { body, lang });
export const join = (body, lang) => call('POST', '/join', { body, lang });
export const submit = (token, answers, key, lang) =>
  call('POST', '/responses', { token, body: { answers }, key, lang });
export const withdraw = (code) => call('DELETE', `/responses/${encodeURIComponent(code)}`);
export const withdrawIssue = (code) => call('DELETE', `/issues/${encodeURIComponent(code)}`);
export const raiseIssue = (token, body, key, lang) => call('POST', '/issues', { token, body, key, lang });
export const publicIssues = (lang) => call('GET', '/public/issues?limit=20', { lang });
export const support = (token, id, lang) => call('POST', `/issues/${encodeURIComponent(id)}/supports`, { token, body: {}, lang });
export const feed = (lang) => call('GET', '/public/feed?limit=10', { lang });
export const exportMine = (token, lang) => call('GET', '/participants/me/export', { token, lang });
export const eraseMine = (token, lang) => call('DELETE', '/participants/me', { token, lang });
export const receiptStatus = (code, lang) => call('GET', `/receipts/${encodeURIComponent(code)}`, { lang });
