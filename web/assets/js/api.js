// The HTTP client: JSON in and out, the CSRF token on every state-changing request, and a 401
// (no session or an expired one) sends the browser to the login page.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export function setCsrf(token) {
  csrfToken = token;
}

export function loginUrl() {
  const next = location.pathname + location.search;
  return next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

export function goToLogin() {
  location.assign(loginUrl());
}

/** Builds "?a=1&b=x&b=y" from an object; arrays become repeated keys; empty values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, String(x)));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function request(method, path, { params, body, redirectOn401 = true } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  let res;
  try {
    res = await fetch(path + query(params), init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `The dashboard server could not be reached (${e.message})`);
  }
  if (res.status === 401 && redirectOn401) {
    goToLogin();
    throw new ApiError(401, 'UNAUTHORIZED', 'Your session has ended; sign in again.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'BAD_RESPONSE', `Unexpected response (${res.status}) from ${path}`);
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || `HTTP_${res.status}`, e.message || `${method} ${path} failed with ${res.status}`, e.details);
  }
  return data;
}

export const api = {
  get: (path, params) => request('GET', path, { params }),
  post: (path, body) => request('POST', path, { body: body ?? {} }),
  del: (path, params) => request('DELETE', path, { params }),
};
