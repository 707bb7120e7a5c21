/**
 * The shape of src/ (docs/architecture.md): no cycle between files or between folders, and no
 * import from a lower layer up into a higher one, against the table of layers in the doc. The
 * checker is shown to catch what it forbids: fixtures add an upward import and a cycle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayering, importEdges, parseLayers, readTree, unitOf, type SourceFile } from './import-graph.js';

// dist/test/architecture → the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const layers = parseLayers(readFileSync(join(root, 'docs', 'architecture.md'), 'utf8'));
const tree = readTree(root, 'src');

test('src/: no cycle between files or folders, no upward import, every folder in the table of layers', () => {
  assert.ok(tree.length > 200, `read ${tree.length} files`);
  assert.ok(importEdges(tree).length > 1000, 'the imports were read');
  const report = checkLayering(tree, layers);
  assert.deepEqual(report.unlisted, [], 'folders of src/ missing from the table in docs/architecture.md');
  assert.deepEqual(report.fileCycles, [], 'files that import each other in a circle');
  assert.deepEqual(report.folderCycles, [], 'folders that import each other in a circle');
  assert.deepEqual(report.upward, [], 'imports from a lower layer into a higher one');
});

test('the node layer knows no application: src/node imports nothing of board, health, trustees or services', () => {
  const apps = new Set(['board', 'health', 'trustees', 'services']);
  const fromNode = importEdges(tree).filter((e) => e.from.startsWith('src/node/'));
  assert.ok(fromNode.length > 20, `${fromNode.length} imports from src/node`);
  assert.deepEqual(fromNode.filter((e) => apps.has(unitOf(e.to))), []);
});

test('a fixture with an upward import fails the check, and names it', () => {
  const upward: SourceFile = { path: 'src/wire/upward.ts', text: "import { BoardStore } from '../board/board-store.js';\nexport const x = BoardStore;\n" };
  const report = checkLayering([...tree, upward], layers);
  assert.deepEqual(report.upward, [`src/wire/upward.ts imports src/board/board-store.ts: wire (layer ${layers.get('wire')}) → board (layer ${layers.get('board')})`]);
  // A type-only import counts too, and a re-export.
  const typeOnly: SourceFile = { path: 'src/crypto/peek.ts', text: "import type {\n  NodeStatus,\n} from '../node/status.js';\nexport type { RoutingConfig } from '../routing/core/routing-config.js';\n" };
  assert.equal(checkLayering([...tree, typeOnly], layers).upward.length, 2);
  // An import inside a comment is none.
  const comment: SourceFile = { path: 'src/crypto/note.ts', text: "// import { x } from '../board/board-store.js';\n/* import { y } from '../node/node.js'; */\nexport const z = 1;\n" };
  assert.deepEqual(checkLayering([...tree, comment], layers).upward, []);
});

test('fixtures with a cycle between files, and between folders, fail the check', () => {
  const a: SourceFile = { path: 'src/board/cycle-a.ts', text: "import { b } from './cycle-b.js';\nexport const a = () => b;\n" };
  const b: SourceFile = { path: 'src/board/cycle-b.ts', text: "import { a } from './cycle-a.js';\nexport const b = () => a;\n" };
  assert.deepEqual(checkLayering([...tree, a, b], layers).fileCycles, [['src/board/cycle-a.ts', 'src/board/cycle-b.ts']]);
  // src/board/service imports src/board; a file there importing back makes the folders a circle.
  const back: SourceFile = { path: 'src/board/back.ts', text: "import { boardService } from './service/board-service.js';\nexport const s = boardService;\n" };
  const report = checkLayering([...tree, back], layers);
  assert.ok(report.folderCycles.some((c) => c.includes('src/board') && c.includes('src/board/service')), JSON.stringify(report.folderCycles));
});

test('a folder the table does not list is reported', () => {
  const stray: SourceFile = { path: 'src/stray/x.ts', text: 'export const x = 1;\n' };
  assert.deepEqual(checkLayering([...tree, stray], layers).unlisted, ['stray']);
});

test('no source file is over 400 lines, and the routing layer is split by role', () => {
  const long = tree.filter((f) => f.text.split('\n').length - 1 > 400).map((f) => f.path);
  assert.deepEqual(long, []);
  const roles = new Set(tree.filter((f) => f.path.startsWith('src/routing/')).map((f) => f.path.split('/')[2]));
  for (const role of ['proxy', 'relay', 'destination', 'formats', 'router.ts']) assert.ok(roles.has(role), `src/routing/${role}`);
});
