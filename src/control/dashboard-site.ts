/**
 * The dashboard's static files (DESIGN §9, issue 6 item 7), served by the control server WITHOUT
 * the token: they hold no data. Every `/api/*` route still needs it; the page reads the token from
 * its URL fragment (`http://127.0.0.1:PORT/#token=…`, never sent to the server) and sends it as a
 * bearer header.
 *
 *   GET /                    → dashboard/index.html
 *   GET /dashboard/<name>    → one file of dashboard/ (listed once, at start-up)
 *   GET /vendor/<name>       → vega.min.js, vega-lite.min.js (from node_modules)
 *
 * Only files known at start-up are served, looked up by exact name in a map: a path with `..`,
 * an encoded slash or dot, a backslash or a sub-folder is simply not a known name (404). Nothing
 * here ever joins a request path onto the file system.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ControlHttpError } from './http-error.js';
import type { Reply } from './router.js';
import { ControlErrors } from './control-errors.js';

/**
 * Scripts and styles from this origin only; no inline script. Vega compiles its expressions with
 * `Function` (its CSP-safe interpreter is a separate package), hence 'unsafe-eval'.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** A file name the site may serve: one path segment of plain characters, no leading dot. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;
/** BOUNDED: the dashboard folder is ours; more files than this means it is not. */
const MAX_FILES = 256;
/** Vendored scripts: URL name → path under the package root's node_modules. */
const VENDOR: Readonly<Record<string, string>> = {
  'vega.min.js': 'vega/build/vega.min.js',
  'vega-lite.min.js': 'vega-lite/build/vega-lite.min.js',
};

/** Whatever serves a control server's public (token-free) paths. */
export interface PublicSite {
  /** The reply for a public path, or undefined when `rawUrl` is not one (then the token is needed). */
  serve(method: string, rawUrl: string): Promise<Reply | undefined>;
}

interface SiteFile {
  path: string;
  contentType: string;
}

export interface DashboardSite extends PublicSite {
  /** The dashboard's files by name (for tests and diagnostics). */
  readonly files: readonly string[];
  readonly vendor: readonly string[];
}

/**
 * The folder holding the package's package.json (name "tokumei"), walking up from `from` (a
 * file URL or path). Works from src/ under a TypeScript runner and from dist/src/ alike.
 */
export function findPackageRoot(from: string | URL = import.meta.url): string {
  let dir = dirname(typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from));
  for (let i = 0; i < 32; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tokumei') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw ControlErrors.DASHBOARD_NOT_FOUND(`cannot find tokumei's package.json above ${String(from)}`);
}

/** The file `rel` in the first node_modules above `root` that has it (npm may hoist). */
function findInNodeModules(root: string, rel: string): string | undefined {
  let dir = root;
  for (let i = 0; i < 32; i++) {
    const p = join(dir, 'node_modules', rel);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** Lists the dashboard (`root/dashboard/`) and the vendored scripts once; fails if index.html is missing. */
export function loadDashboardSite(root: string = findPackageRoot()): DashboardSite {
  const dir = join(root, 'dashboard');
  const files = new Map<string, SiteFile>(); // BOUNDED(MAX_FILES)
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw ControlErrors.DASHBOARD_NOT_FOUND(`cannot read the dashboard folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const name of names.sort()) {
    const contentType = CONTENT_TYPES[extname(name).toLowerCase()];
    if (!FILE_NAME.test(name) || contentType === undefined) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    if (files.size >= MAX_FILES) break;
    files.set(name, { path, contentType });
  }
  const index = files.get('index.html');
  if (!index) throw ControlErrors.DASHBOARD_NOT_FOUND(`${dir} has no index.html`);
  const vendor = new Map<string, SiteFile>(); // fixed: VENDOR's entries
  for (const [name, rel] of Object.entries(VENDOR)) {
    const path = findInNodeModules(root, rel);
    // A missing chart library leaves the pages working without charts; the page says so.
    if (path) vendor.set(name, { path, contentType: CONTENT_TYPES['.js']! });
  }

  const serveFile = async (method: string, file: SiteFile | undefined, what: string): Promise<Reply> => {
    if (method !== 'GET' && method !== 'HEAD') {
      const e = new ControlHttpError(405, 'CONTROL_METHOD_NOT_ALLOWED', `${method.slice(0, 16)} not allowed on the dashboard's files; use GET`);
      (e as ControlHttpError & { allow?: string }).allow = 'GET, HEAD';
      throw e;
    }
    if (!file) throw new ControlHttpError(404, 'DASHBOARD_NOT_FOUND', `no such dashboard file: ${what.slice(0, 200)}`);
    let body: Buffer;
    try {
      body = await readFile(file.path);
    } catch {
      throw new ControlHttpError(404, 'DASHBOARD_NOT_FOUND', `dashboard file ${what.slice(0, 200)} is gone`);
    }
    return {
      status: 200,
      body,
      contentType: file.contentType,
      headers: { 'content-security-policy': DASHBOARD_CSP, 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache', 'x-frame-options': 'DENY' },
    };
  };

  return {
    files: [...files.keys()],
    vendor: [...vendor.keys()],
    async serve(method, rawUrl) {
      // The raw request target, query dropped: never normalised, never decoded.
      const path = rawUrl.split('?', 1)[0]!;
      if (path === '/') return serveFile(method, index, path);
      for (const [prefix, table] of [['/dashboard/', files], ['/vendor/', vendor]] as const) {
        if (path.startsWith(prefix)) return serveFile(method, table.get(path.slice(prefix.length)), path);
      }
      return undefined;
    },
  };
}

/** The URL to open: the token rides in the fragment, which a browser never sends to the server. */
export function dashboardUrl(controlUrl: string, token: string): string {
  return `${controlUrl}/#token=${token}`;
}
