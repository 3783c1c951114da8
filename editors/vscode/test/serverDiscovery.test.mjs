// Unit tests for server discovery (src/serverDiscovery.ts, compiled to out/ by `tsc -p .`).
// The file system is faked through `isExecutableFile`, so every branch runs on any OS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const d = require('../out/serverDiscovery.js');

/** Input for a Linux machine where only the paths in `executables` exist. */
function linux(overrides = {}, executables = []) {
  const set = new Set(executables);
  return {
    configuredPath: '',
    workspaceFolder: '/home/u/proj',
    extensionPath: '/ext',
    platform: 'linux',
    arch: 'x64',
    envPath: '/usr/local/bin:/usr/bin',
    pathExt: undefined,
    homeDir: '/home/u',
    isExecutableFile: (p) => set.has(p),
    ...overrides,
  };
}

test('the setting wins over a bundled binary and PATH', () => {
  const r = d.discoverServer(linux({ configuredPath: '/opt/lw/layerwise' },
    ['/opt/lw/layerwise', '/ext/server/linux-x64/layerwise', '/usr/bin/layerwise']));
  assert.deepEqual(r, { kind: 'found', path: '/opt/lw/layerwise', source: 'setting' });
});

test('a setting that points nowhere is an error, not a silent fallback', () => {
  const r = d.discoverServer(linux({ configuredPath: '/nope/layerwise' }, ['/usr/bin/layerwise']));
  assert.equal(r.kind, 'invalid-setting');
  assert.match(r.message, /layerwise\.server\.path/);
  assert.match(r.message, /\/nope\/layerwise/);
  assert.deepEqual(r.tried, ['/nope/layerwise']);
});

test('relative, ~ and ${workspaceFolder} settings resolve', () => {
  assert.equal(d.discoverServer(linux({ configuredPath: 'bin/layerwise' }, ['/home/u/proj/bin/layerwise'])).path,
    '/home/u/proj/bin/layerwise');
  assert.equal(d.discoverServer(linux({ configuredPath: '~/.cargo/bin/layerwise' }, ['/home/u/.cargo/bin/layerwise'])).path,
    '/home/u/.cargo/bin/layerwise');
  assert.equal(d.discoverServer(linux({ configuredPath: '${workspaceFolder}/../lw/layerwise' }, ['/home/u/lw/layerwise'])).path,
    '/home/u/lw/layerwise');
});

test('a relative setting without a workspace folder explains itself', () => {
  const r = d.discoverServer(linux({ configuredPath: 'bin/layerwise', workspaceFolder: undefined }, []));
  assert.equal(r.kind, 'invalid-setting');
  assert.match(r.message, /relative path/);
});

test('whitespace-only setting counts as unset', () => {
  const r = d.discoverServer(linux({ configuredPath: '   ' }, ['/usr/bin/layerwise']));
  assert.deepEqual(r, { kind: 'found', path: '/usr/bin/layerwise', source: 'path' });
});

test('the bundled binary for this platform comes before PATH', () => {
  const r = d.discoverServer(linux({ arch: 'arm64' }, ['/ext/server/linux-arm64/layerwise', '/usr/bin/layerwise']));
  assert.deepEqual(r, { kind: 'found', path: '/ext/server/linux-arm64/layerwise', source: 'bundled' });
  // A binary bundled for another architecture is not used.
  const other = d.discoverServer(linux({ arch: 'arm64' }, ['/ext/server/linux-x64/layerwise']));
  assert.equal(other.kind, 'not-found');
});

test('PATH is searched in order and empty entries (the current directory) are skipped', () => {
  const r = d.discoverServer(linux({ envPath: ':/a::/b' }, ['/b/layerwise', 'layerwise']));
  assert.deepEqual(r, { kind: 'found', path: '/b/layerwise', source: 'path' });
  assert.deepEqual(d.pathCandidates('/a:/b', undefined, 'linux'), ['/a/layerwise', '/b/layerwise']);
});

test('nothing found: the message says what to do and lists every place looked at', () => {
  const r = d.discoverServer(linux({}, []));
  assert.equal(r.kind, 'not-found');
  assert.match(r.message, /cargo build --release -p layerwise/);
  assert.match(r.message, /layerwise\.server\.path/);
  assert.match(r.message, /linux-x64/);
  assert.deepEqual(r.tried, ['/ext/server/linux-x64/layerwise', '/usr/local/bin/layerwise', '/usr/bin/layerwise']);
});

test('no PATH at all is fine', () => {
  assert.equal(d.discoverServer(linux({ envPath: undefined }, [])).kind, 'not-found');
});

test('Windows: .exe bundled name, PATHEXT, ; separator, quoted entries', () => {
  assert.equal(d.bundledServerPath('C:\\ext', 'win32', 'x64'), 'C:\\ext\\server\\win32-x64\\layerwise.exe');
  assert.deepEqual(d.pathCandidates('C:\\a;"C:\\Program Files\\lw"', '.EXE;.CMD', 'win32'),
    ['C:\\a\\layerwise.exe', 'C:\\a\\layerwise.cmd', 'C:\\Program Files\\lw\\layerwise.exe', 'C:\\Program Files\\lw\\layerwise.cmd']);
  const r = d.discoverServer({
    ...linux(), platform: 'win32', extensionPath: 'C:\\ext', workspaceFolder: 'C:\\proj', homeDir: 'C:\\Users\\u',
    envPath: 'C:\\tools', pathExt: '.COM;.EXE',
    isExecutableFile: (p) => p === 'C:\\tools\\layerwise.exe',
  });
  assert.deepEqual(r, { kind: 'found', path: 'C:\\tools\\layerwise.exe', source: 'path' });
  assert.equal(d.resolveConfiguredPath('bin\\layerwise.exe', 'C:\\proj', 'C:\\Users\\u', 'win32'), 'C:\\proj\\bin\\layerwise.exe');
});

test('isExecutableFile checks the real file system', async () => {
  const { mkdtempSync, writeFileSync, chmodSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'lw-disc-'));
  try {
    const f = join(dir, 'layerwise');
    writeFileSync(f, '#!/bin/sh\n');
    if (process.platform !== 'win32') {
      chmodSync(f, 0o644);
      assert.equal(d.isExecutableFile(f), false);
    }
    chmodSync(f, 0o755);
    assert.equal(d.isExecutableFile(f), true);
    assert.equal(d.isExecutableFile(dir), false, 'a directory is not a server');
    assert.equal(d.isExecutableFile(join(dir, 'missing')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
