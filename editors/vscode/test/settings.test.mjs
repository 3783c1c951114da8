// Unit tests for the settings generator: the pure merge/validate/diff functions, and the CLI
// run against small executables standing in for the `layerwise` binary's settings-schema
// command (with and without it), on a scratch copy of package.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DOCS_BEGIN, DOCS_END, deepEqual, diffConfiguration, mergeConfiguration, renderSettingsTable, replaceSettingsSection, validateServerSchema,
} from '../scripts/settings-lib.mjs';

const extDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const clientSettings = JSON.parse(readFileSync(join(extDir, 'scripts', 'client-settings.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(extDir, 'package.json'), 'utf8'));

const SCHEMA = {
  properties: {
    'layerwise.rules': { type: 'object', default: {}, description: 'Severity per rule.' },
    'layerwise.registry.offline': { type: 'boolean', default: false, description: 'No network.' },
    'layerwise.registry.platform': { type: 'string', default: 'linux/amd64', description: 'Platform.', enum: ['linux/amd64', 'linux/arm64'] },
  },
};

test('validate accepts a well-formed schema and returns its properties', () => {
  assert.deepEqual(validateServerSchema(SCHEMA), SCHEMA.properties);
});

test('validate names every problem', () => {
  const bad = {
    properties: {
      'other.key': { type: 'string', default: '', description: 'x' },
      'layerwise.a': { type: 'str', default: '', description: 'x' },
      'layerwise.b': { type: 'string', default: '' },
      'layerwise.c': { type: 'string', description: 'x' },
      'layerwise.d': { type: 'string', default: 'z', description: 'x', enum: ['a', 'b'] },
      'layerwise.e': 7,
    },
  };
  assert.throws(() => validateServerSchema(bad), (e) => {
    for (const k of ['other.key', 'layerwise.a', 'layerwise.b', 'layerwise.c', 'layerwise.d', 'layerwise.e']) {
      assert.match(e.message, new RegExp(k.replace('.', '\\.')));
    }
    return true;
  });
  assert.throws(() => validateServerSchema([]), /not a JSON object/);
  assert.throws(() => validateServerSchema({ props: {} }), /no "properties"/);
});

test('merge sorts keys and refuses a server key that shadows a client-only one', () => {
  const merged = mergeConfiguration(SCHEMA.properties, clientSettings);
  assert.equal(merged.title, 'layerwise');
  const keys = Object.keys(merged.properties);
  assert.deepEqual(keys, [...keys].sort());
  assert.ok(keys.includes('layerwise.server.path') && keys.includes('layerwise.trace.server'));
  assert.throws(() => mergeConfiguration({ 'layerwise.server.path': {} }, clientSettings), /layerwise\.server\.path/);
});

test('diff reports added, removed and changed settings; equal ones are silent', () => {
  const a = mergeConfiguration(SCHEMA.properties, clientSettings);
  assert.deepEqual(diffConfiguration(a, a), []);
  const b = structuredClone(a);
  delete b.properties['layerwise.rules'];
  b.properties['layerwise.registry.offline'].default = true;
  b.properties['layerwise.new'] = { type: 'boolean', default: true, description: 'n' };
  assert.deepEqual(diffConfiguration(a, b), [
    '+ layerwise.new (missing from package.json)',
    '~ layerwise.registry.offline (definition changed)',
    '- layerwise.rules (no longer defined)',
  ]);
  assert.ok(deepEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }));
});

test('package.json carries the client-only settings exactly as defined', () => {
  const props = pkg.contributes.configuration.properties;
  for (const [k, v] of Object.entries(clientSettings)) assert.deepEqual(props[k], v, k);
});

test('package.json offers the settings the server reads, in a valid shape', () => {
  const props = pkg.contributes.configuration.properties;
  for (const k of ['layerwise.rules', 'layerwise.inlayHints.enabled', 'layerwise.registry.offline',
    'layerwise.registry.mirrors', 'layerwise.registry.insecure', 'layerwise.registry.platform']) {
    assert.ok(k in props, `${k} missing from package.json`);
  }
  validateServerSchema({ properties: Object.fromEntries(Object.entries(props)) });
});

/**
 * A scratch checkout (editors/vscode with our package.json and scripts, docs/editors/vscode.md
 * with the settings markers) plus an executable standing in for `layerwise`.
 */
function scratch(script) {
  const dir = mkdtempSync(join(tmpdir(), 'lw-gen-'));
  const ext = join(dir, 'editors', 'vscode');
  mkdirSync(ext, { recursive: true });
  mkdirSync(join(dir, 'docs', 'editors'), { recursive: true });
  cpSync(join(extDir, 'scripts'), join(ext, 'scripts'), { recursive: true });
  cpSync(join(extDir, 'package.json'), join(ext, 'package.json'));
  const docsPath = join(dir, 'docs', 'editors', 'vscode.md');
  writeFileSync(docsPath, `# VS Code\n\n## Settings\n\n${DOCS_BEGIN}\nold table\n${DOCS_END}\n\n## Next\n`);
  const bin = join(dir, 'layerwise');
  writeFileSync(bin, `#!/bin/sh\n${script}\n`);
  chmodSync(bin, 0o755);
  const run = (...args) => spawnSync(process.execPath, [join(ext, 'scripts', 'gen-settings.mjs'), '--server', bin, ...args], { encoding: 'utf8' });
  return { dir, run, pkgPath: join(ext, 'package.json'), docsPath };
}

test('gen-settings: --check fails when stale, regenerating fixes it, other fields survive', { skip: process.platform === 'win32' }, () => {
  const schema = JSON.stringify(SCHEMA).replace(/'/g, '');
  const s = scratch(`[ "$1" = settings-schema ] || exit 2\necho '${schema}'`);
  try {
    const stale = s.run('--check');
    assert.equal(stale.status, 1, stale.stdout + stale.stderr);
    assert.match(stale.stderr, /stale/);
    assert.match(stale.stderr, /- layerwise\.groups/);
    const gen = s.run();
    assert.equal(gen.status, 0, gen.stderr);
    const after = JSON.parse(readFileSync(s.pkgPath, 'utf8'));
    assert.deepEqual(Object.keys(after.contributes.configuration.properties),
      ['layerwise.registry.offline', 'layerwise.registry.platform', 'layerwise.rules', 'layerwise.server.path', 'layerwise.trace.server']);
    assert.deepEqual(after.contributes.commands, pkg.contributes.commands);
    assert.equal(after.name, pkg.name);
    const docs = readFileSync(s.docsPath, 'utf8');
    assert.ok(!docs.includes('old table'));
    assert.match(docs, /\| `layerwise\.registry\.platform` \| `"linux\/amd64"`, `"linux\/arm64"` \| `"linux\/amd64"` \| Platform\. \|/);
    assert.match(docs, /## Next\n$/, 'text after the table survives');
    const ok = s.run('--check');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /up to date \(5 settings\)/);
    // A hand edit of the generated table is caught.
    writeFileSync(s.docsPath, docs.replace('Platform.', 'Platform!'));
    const edited = s.run('--check');
    assert.equal(edited.status, 1);
    assert.match(edited.stderr, /settings table in .*vscode\.md is stale/);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('gen-settings: a binary without settings-schema gives a clear error and leaves package.json alone', { skip: process.platform === 'win32' }, () => {
  const s = scratch(`echo "error: unrecognized subcommand '$1'" >&2\nexit 2`);
  try {
    const before = readFileSync(s.pkgPath, 'utf8');
    for (const args of [[], ['--check']]) {
      const r = s.run(...args);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /exited with 2/);
      assert.match(r.stderr, /unrecognized subcommand/);
      assert.match(r.stderr, /does not provide the settings-schema command/);
    }
    assert.equal(readFileSync(s.pkgPath, 'utf8'), before);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('gen-settings: non-JSON output and a missing binary are reported', { skip: process.platform === 'win32' }, () => {
  const s = scratch('echo "not json"');
  try {
    const r = s.run();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /did not print JSON/);
    const missing = spawnSync(process.execPath, [join(s.dir, 'editors', 'vscode', 'scripts', 'gen-settings.mjs'), '--server', join(s.dir, 'nope')], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no layerwise binary at .*nope.*cargo build --release -p layerwise/s);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('settings table: one row per setting, pipes escaped, enums and maps spelled out', () => {
  const table = renderSettingsTable(mergeConfiguration({
    'layerwise.rules': { type: 'object', default: {}, additionalProperties: { type: 'string', enum: ['off', 'error'] }, markdownDescription: 'a | b\nc' },
    'layerwise.registry.mirrors': { type: 'array', items: { type: 'string' }, default: [], description: 'Mirrors.' },
  }, clientSettings));
  const lines = table.trim().split('\n');
  assert.equal(lines.length, 2 + 2 + Object.keys(clientSettings).length);
  assert.ok(lines.includes('| `layerwise.rules` | object of `"off"`, `"error"` | `{}` | a \\| b c |'), table);
  assert.ok(lines.includes('| `layerwise.registry.mirrors` | array of string | `[]` | Mirrors. |'), table);
  assert.ok(lines.some((l) => l.startsWith('| `layerwise.trace.server` | `"off"`, `"messages"`, `"verbose"` | `"off"` |')), table);
});

test('settings section: replaced between the markers, refused without them', () => {
  const doc = `a\n${DOCS_BEGIN}\nx\n${DOCS_END}\nb\n`;
  assert.equal(replaceSettingsSection(doc, 'T\n'), `a\n${DOCS_BEGIN}\nT\n${DOCS_END}\nb\n`);
  assert.throws(() => replaceSettingsSection('no markers', 'T'), /markers are missing/);
  assert.throws(() => replaceSettingsSection(`${DOCS_END}${DOCS_BEGIN}`, 'T'), /markers are missing/);
});
