// Unit tests for the pure helpers behind the status bar and command notifications.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { isWorkspaceEdit, messageOf } = require('../out/serverReplies.js');
const { statusPresentation } = require('../out/statusText.js');

test('messageOf accepts strings and common result objects', () => {
  assert.equal(messageOf('node:20 is 1.1 GB'), 'node:20 is 1.1 GB');
  assert.equal(messageOf('a\n\n  b\n'), 'a · b');
  assert.equal(messageOf({ message: 'split into 2 stages' }), 'split into 2 stages');
  assert.equal(messageOf({ markdown: '**node:20** 1.1 GB' }), '**node:20** 1.1 GB');
  assert.equal(messageOf({ value: 'x' }), 'x');
});

test('messageOf says nothing for empty or unknown results', () => {
  for (const r of [null, undefined, '', '   ', 42, {}, { message: 3 }, []]) assert.equal(messageOf(r), undefined);
});

test('every server state has an icon, a word and a tooltip', () => {
  const states = [
    { kind: 'starting' },
    { kind: 'running', version: '0.1.0', path: '/x', source: 'path' },
    { kind: 'stopped', path: undefined },
    { kind: 'missing', message: 'No layerwise language server found' },
    { kind: 'failed', message: 'did not start' },
  ];
  const words = states.map((s) => statusPresentation(s).word);
  assert.deepEqual(words, ['starting', 'running', 'stopped', 'not found', 'failed']);
  assert.match(statusPresentation(states[1]).tooltip, /0\.1\.0/);
  assert.match(statusPresentation(states[3]).tooltip, /No layerwise language server found/);
  assert.equal(statusPresentation({ kind: 'running', version: undefined, path: '/x', source: 'bundled' }).tooltip,
    'layerwise (version not reported) is running');
  for (const s of states) assert.match(statusPresentation(s).icon, /^\$\([a-z~-]+\)$/);
});

test('isWorkspaceEdit recognises both WorkspaceEdit forms and nothing else', () => {
  assert.equal(isWorkspaceEdit({ changes: { 'file:///a': [] } }), true);
  assert.equal(isWorkspaceEdit({ documentChanges: [] }), true);
  for (const r of [null, undefined, 'x', [], {}, { changes: [] }, { changes: null }, { documentChanges: {} }, { message: 'm' }]) {
    assert.equal(isWorkspaceEdit(r), false, JSON.stringify(r));
  }
});
