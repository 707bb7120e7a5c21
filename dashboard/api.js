// The node's control API, seen from the page. The token comes from the URL fragment
// (#token=…, which the browser never sends to the server), is kept in sessionStorage for this tab,
// and goes out as `Authorization: Bearer`. The fragment is then removed from the address bar.

/** @typedef {import('tokumei-control-routes').GetRoutes} GetRoutes */
/** @typedef {import('tokumei-control-routes').PostRoutes} PostRoutes */
/** @typedef {{ timeoutMs?: number, signal?: AbortSignal }} CallOptions */

const TOKEN_KEY = 'tokumei.token';

/** Reads #token=… (and #board=…, #study=…) once, remembers the token, and clears the fragment. */
export function takeFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token && /^[0-9a-f]{16,128}$/i.test(token)) sessionStorage.setItem(TOKEN_KEY, token);
  const board = params.get('board');
  const study = params.get('study');
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return {
    board: board && /^tkb1[A-Za-z0-9_-]+$/.test(board) ? board : undefined,
    study: study && /^[a-z0-9][a-z0-9_.-]{0,63}$/.test(study) ? study : undefined,
  };
}

export function hasToken() {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

/** An error the API answered: its code and message, shown as they are. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * One API call. `body` (an object) is sent as JSON. Resolves to the parsed JSON answer; rejects
 * with an ApiError carrying the server's {code, message} (or a NETWORK / TIMEOUT code).
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {object} [body]
 * @param {CallOptions} [options]
 * @returns {Promise<any>}
 */
export async function api(method, path, body, { timeoutMs = 180_000, signal } = {}) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  if (signal) signal.addEventListener('abort', () => ctl.abort(), { once: true });
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: ctl.signal, cache: 'no-store' });
  } catch (e) {
    throw ctl.signal.aborted
      ? new ApiError(0, 'DASHBOARD_TIMEOUT', `no answer from the node after ${Math.round(timeoutMs / 1000)} s`)
      : new ApiError(0, 'DASHBOARD_NODE_UNREACHABLE', `the node does not answer (${e.message}); is it still running?`);
  } finally {
    clearTimeout(timer);
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = json && json.error;
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText));
  }
  if (json === undefined) throw new ApiError(res.status, 'DASHBOARD_BAD_RESPONSE', 'the node answered with something other than JSON');
  return json;
}

/**
 * A GET of one route, its answer typed as the control API declares it (src/services/control-routes.ts).
 * @template {keyof GetRoutes} P
 * @param {P} path
 * @param {CallOptions} [opts]
 * @returns {Promise<GetRoutes[P]>}
 */
export const get = (path, opts) => api('GET', path, undefined, opts);

/**
 * A POST of one route: its body and its answer typed as the control API declares them.
 * @template {keyof PostRoutes} P
 * @param {P} path
 * @param {PostRoutes[P]['body']} [body]
 * @param {CallOptions} [opts]
 * @returns {Promise<PostRoutes[P]['answer']>}
 */
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);

/**
 * `path?k=v&…` with the values encoded; undefined and empty values are left out. Typed as the
 * route it queries, so that `get(withQuery(route, …))` is typed as `get(route)`.
 * @template {string} P
 * @param {P} path
 * @param {Record<string, string | number | undefined>} params
 * @returns {P}
 */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return /** @type {P} */ (s ? `${path}?${s}` : path);
}
