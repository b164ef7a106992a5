// The JSON API, as any client would call it. The token lives in this
// module's memory only: never in a cookie or in storage, so another site
// cannot make the browser send it, and a reload asks to sign in again.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

let token = null;
let onRefused = () => {};
let lang = 'vi';

export const setToken = (t) => { token = t; };
export const signedIn = () => token !== null;
export const setLang = (l) => { lang = l; };
// Called once when the API refuses the token (expired, disabled, signed out elsewhere).
export const whenRefused = (f) => { onRefused = f; };

async function send(method, path, body, accept = 'application/json') {
  const headers = { Accept: accept, 'Accept-Language': lang };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`/api/v1${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store',
  });
  if (res.status === 401 && token) {
    token = null;
    // After the caller's own error handling, so that the sign-in wins.
    setTimeout(onRefused, 0);
  }
  return res;
}

export async function call(method, path, body) {
  const res = await send(method, path, body);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// An image the API serves behind the token, as an address the page can show.
export async function image(path) {
  const res = await send('GET', path, undefined, 'image/svg+xml');
  if (!res.ok) throw new ApiError(res.status, null);
  return URL.createObjectURL(await res.blob());
}

export const get = (path) => call('GET', path);
export const post = (path, body = {}) => call('POST', path, body);
export const patch = (path, body) => call('PATCH', path, body);

export async function login(username, password) {
  const r = await call('POST', '/auth/login', { username, password });
  token = r.access_token;
  try {
    return await get('/me');
  } catch (e) {
    token = null;
    throw e;
  }
}

export const signOut = () => { token = null; };

export const qs = (params) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
};

// A file the API serves behind the token (a CSV or JSON report), as an
// address a download link can use.
export async function download(path) {
  const res = await send('GET', path, undefined, '*/*');
  if (!res.ok) {
    const text = await res.text();
    throw new ApiError(res.status, text ? JSON.parse(text) : null);
  }
  return URL.createObjectURL(await res.blob());
}
