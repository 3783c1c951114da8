// Unit tests for turning the server's layerwise.imageSize answer into a sentence (src/imageFacts.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { describeImageFacts, formatBytes } = require('../out/imageFacts.js');

test('formatBytes uses decimal units with three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(46_000_000), '46.0 MB');
  assert.equal(formatBytes(380_000_000), '380 MB');
  assert.equal(formatBytes(1_100_000_000), '1.10 GB');
  assert.equal(formatBytes(1_500), '1.50 kB');
  assert.equal(formatBytes(-1), '?');
  assert.equal(formatBytes(Number.NaN), '?');
});

test('a catalogue answer as the server sends it', () => {
  const facts = {
    reference: { registry: 'docker.io', repository: 'library/node', tag: '20', digest: null },
    platforms: [{ platform: { os: 'linux', architecture: 'amd64' }, compressed_size: 380000000, unpacked_size: 1100000000, layer_count: 0 }],
    source: { kind: 'catalogue', entry: 'node:20', exact: true, provenance: '...' },
  };
  assert.equal(describeImageFacts(facts, 'node:20'),
    'node:20 (linux/amd64): 1.10 GB unpacked, 380 MB to download; approximate, from the offline catalogue');
});

test('a registry answer with layers, a variant and a non-Hub registry', () => {
  const facts = {
    reference: { registry: 'ghcr.io', repository: 'org/app', tag: 'v1', digest: 'sha256:ab' },
    platforms: [{ platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, compressed_size: 12_345_678, layer_count: 1 }],
    source: { kind: 'registry' },
  };
  assert.equal(describeImageFacts(facts, 'x'), 'ghcr.io/org/app:v1@sha256:ab (linux/arm/v7): 12.3 MB to download, 1 layer; from the registry');
});

test('missing pieces fall back; no size means no sentence', () => {
  assert.equal(describeImageFacts({ platforms: [{ compressed_size: 5 }] }, 'alpine'), 'alpine: 5 B to download');
  assert.equal(describeImageFacts({ platforms: [{ compressed_size: 5 }], source: { kind: 'cache', stale: true } }, 'a'),
    'a: 5 B to download; from the cache (may be stale)');
  for (const bad of [null, 'text', 3, {}, { platforms: [] }, { platforms: [{}] }, { platforms: [{ compressed_size: 'big' }] }]) {
    assert.equal(describeImageFacts(bad, 'x'), undefined);
  }
});
