import assert from 'node:assert/strict';

/** stderr holds exactly one line `tokumei: CODE: message`, and no stack trace. */
export function assertOneLine(stderr: string, code: RegExp | string): void {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  const m = /^tokumei: ([A-Z0-9_]+): (.+)$/.exec(lines[0]!);
  assert.ok(m, `not a tokumei error line: ${lines[0]}`);
  if (typeof code === 'string') assert.equal(m[1], code, lines[0]);
  else assert.match(m[1]!, code, lines[0]);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}
