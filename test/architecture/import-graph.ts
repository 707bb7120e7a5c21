/**
 * The import graph of a source tree, and what docs/architecture.md says of it: which files import
 * which (static, type-only, re-exports and literal dynamic imports alike), the cycles between
 * files and between folders, and the imports that go from a lower layer up to a higher one.
 * The layering test runs it over src/; its own fixtures run it over trees with a fault put in.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

export interface SourceFile {
  /** Path from the repository root, with `/`: `src/board/replica.ts`. */
  path: string;
  text: string;
}

export interface Edge {
  from: string;
  to: string;
}

/** Every .ts file below `dir` (relative to `root`), sorted. */
export function readTree(root: string, dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) out.push({ path: relative(root, p).split('\\').join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(root, dir));
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|(?:^|[\s;])import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Comments out, strings kept: an import named in a comment is no import. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The relative imports of every file, resolved to the files they name (`./x.js` → `x.ts`). */
export function importEdges(files: readonly SourceFile[]): Edge[] {
  const known = new Set(files.map((f) => f.path));
  const edges: Edge[] = [];
  for (const f of files) {
    for (const m of stripComments(f.text).matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      const to = posix.normalize(posix.join(posix.dirname(f.path), spec.replace(/\.js$/, '.ts')));
      if (known.has(to)) edges.push({ from: f.path, to });
    }
  }
  return edges;
}

/** Strongly connected components of more than one node (or a node importing itself): the cycles. */
export function cycles(nodes: Iterable<string>, edges: readonly Edge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of out.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (out.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return found.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/**
 * A file's folder: `src/health/formats/offer.ts` → `src/health/formats`. A file at the tree's
 * root (`src/errors.ts`, `src/index.ts`) stands for itself: they sit in different layers.
 */
export function folderOf(path: string): string {
  const dir = dirname(path).split('\\').join('/');
  return dir.includes('/') ? dir : path;
}

/** The folders' graph: one edge per pair of folders that a file import joins. */
export function folderEdges(edges: readonly Edge[]): Edge[] {
  const seen = new Set<string>();
  const out: Edge[] = [];
  for (const e of edges) {
    const from = folderOf(e.from);
    const to = folderOf(e.to);
    if (from === to || seen.has(`${from} ${to}`)) continue;
    seen.add(`${from} ${to}`);
    out.push({ from, to });
  }
  return out;
}

/**
 * The table of layers in docs/architecture.md: the rows between the `<!-- layers -->` and
 * `<!-- /layers -->` markers, `| n | `folder`, `file.ts`, … | what |`. Returns each top-level
 * entry of src/ (a folder, or a file at src/'s root) with its layer number.
 */
export function parseLayers(markdown: string): Map<string, number> {
  const start = markdown.indexOf('<!-- layers -->');
  const end = markdown.indexOf('<!-- /layers -->');
  if (start < 0 || end < start) throw new Error('docs/architecture.md has no <!-- layers --> … <!-- /layers --> table');
  const layers = new Map<string, number>();
  for (const line of markdown.slice(start, end).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const n = Number(cells[1]);
    if (!/^\d+$/.test(cells[1] ?? '') || !Number.isInteger(n)) continue;
    for (const m of (cells[2] ?? '').matchAll(/`([^`]+)`/g)) {
      const name = m[1]!.replace(/\/$/, '');
      if (layers.has(name)) throw new Error(`${name} is in two layers of the table`);
      layers.set(name, n);
    }
  }
  return layers;
}

/** The top-level entry of src/ a file belongs to: `src/board/service/x.ts` → `board`, `src/errors.ts` → `errors.ts`. */
export function unitOf(path: string): string {
  return path.split('/')[1]!;
}

export interface LayeringReport {
  fileCycles: string[][];
  folderCycles: string[][];
  /** Imports from a lower layer up into a higher one. */
  upward: string[];
  /** Files whose top-level folder the table does not list. */
  unlisted: string[];
}

/** Everything the layering rules forbid in `files` (paths under src/), against `layers`. */
export function checkLayering(files: readonly SourceFile[], layers: ReadonlyMap<string, number>): LayeringReport {
  const edges = importEdges(files);
  const fileCycles = cycles(
    files.map((f) => f.path),
    edges,
  );
  const fEdges = folderEdges(edges);
  const folderCycles = cycles(new Set(files.map((f) => folderOf(f.path))), fEdges);
  const unlisted = [...new Set(files.map((f) => unitOf(f.path)).filter((u) => !layers.has(u)))].sort();
  const upward: string[] = [];
  for (const e of edges) {
    const a = layers.get(unitOf(e.from));
    const b = layers.get(unitOf(e.to));
    if (a !== undefined && b !== undefined && b > a) upward.push(`${e.from} imports ${e.to}: ${unitOf(e.from)} (layer ${a}) → ${unitOf(e.to)} (layer ${b})`);
  }
  return { fileCycles, folderCycles, upward, unlisted };
}
