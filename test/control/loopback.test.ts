import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokumeiError } from '../../src/errors.js';
import { isLoopbackHost, parseControlAddress } from '../../src/control/loopback.js';
import { bearerMatches } from '../../src/control/token.js';

test('--control accepts loopback addresses only', () => {
  assert.deepEqual(parseControlAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseControlAddress('localhost:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseControlAddress('[::1]:9'), { host: '::1', port: 9 });
  assert.deepEqual(parseControlAddress('127.1.2.3:65535'), { host: '127.1.2.3', port: 65535 });
  for (const bad of ['0.0.0.0:0', '[::]:0', '10.0.0.1:80', 'example.com:80', '128.0.0.1:1']) {
    assert.throws(() => parseControlAddress(bad), (e: unknown) => e instanceof TokumeiError && e.code === 'CONTROL_NOT_LOOPBACK', bad);
  }
  for (const bad of ['', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', ':80', '127.0.0.1:-1', 'a:b:c']) {
    assert.throws(() => parseControlAddress(bad), (e: unknown) => e instanceof TokumeiError, bad);
  }
  assert.equal(isLoopbackHost('LOCALHOST'), true);
  assert.equal(isLoopbackHost('127.0.0.1.example.com'), false);
});

test('bearer token comparison', () => {
  const token = 'ab'.repeat(32);
  assert.equal(bearerMatches(`Bearer ${token}`, token), true);
  assert.equal(bearerMatches(`bearer ${token}`, token), true);
  assert.equal(bearerMatches(undefined, token), false);
  assert.equal(bearerMatches('', token), false);
  assert.equal(bearerMatches(`Bearer ${token.slice(1)}`, token), false);
  assert.equal(bearerMatches(`Bearer  ${token} extra`, token), false);
  assert.equal(bearerMatches(token, token), false);
});
