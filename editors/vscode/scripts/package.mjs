#!/usr/bin/env node
// Builds the .vsix: type-check, bundle with esbuild, optionally bundle a layerwise binary for
// this platform under server/<platform>-<arch>/, then `vsce package`. A .vsix with a binary is
// platform-specific, so vsce gets the matching --target; without one it is universal and the
// extension looks for the server on PATH or in layerwise.server.path.
//
//   node scripts/package.mjs [--server PATH | --no-server] [--out FILE]
//   default: bundle ../../target/release/layerwise when it exists, else no server;
//            output layerwise.vsix (or layerwise-<target>.vsix with a server)
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const extDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(extDir, 'node_modules', '.bin', name);

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function run(cmd, args) {
  console.log(`$ ${[cmd, ...args].map((a) => a.replace(extDir + '/', '')).join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: extDir, stdio: 'inherit' });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} exited with ${r.status ?? r.signal}`);
}

/** vsce's name for a node platform/arch pair (they differ only for 32-bit ARM). */
function vsceTarget(platform, arch) {
  const a = arch === 'arm' ? 'armhf' : arch;
  return `${platform}-${a}`;
}

let server = join(extDir, '..', '..', 'target', 'release', process.platform === 'win32' ? 'layerwise.exe' : 'layerwise');
let explicitServer = false;
let out;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--server' && i + 1 < argv.length) { server = resolve(argv[++i]); explicitServer = true; }
  else if (argv[i] === '--no-server') server = undefined;
  else if (argv[i] === '--out' && i + 1 < argv.length) out = resolve(argv[++i]);
  else fail(`unknown argument "${argv[i]}" (usage: package.mjs [--server PATH | --no-server] [--out FILE])`);
}
if (server !== undefined && !existsSync(server)) {
  if (explicitServer) fail(`--server ${server}: no such file`);
  console.log(`package: no ${server}; packaging without a bundled server`);
  server = undefined;
}

run(bin('tsc'), ['-p', '.', '--noEmit']);
run(bin('esbuild'), ['src/extension.ts', '--bundle', '--platform=node', '--format=cjs', '--target=node18',
  '--external:vscode', '--minify-syntax', '--outfile=dist/extension.js', '--log-level=warning']);

// Never ship a stale binary from an earlier run.
rmSync(join(extDir, 'server'), { recursive: true, force: true });
const vsceArgs = ['package', '--no-dependencies', '--skip-license'];
if (server !== undefined) {
  const platformDir = join(extDir, 'server', `${process.platform}-${process.arch}`);
  mkdirSync(platformDir, { recursive: true });
  const dest = join(platformDir, process.platform === 'win32' ? 'layerwise.exe' : 'layerwise');
  copyFileSync(server, dest);
  chmodSync(dest, 0o755);
  const target = vsceTarget(process.platform, process.arch);
  vsceArgs.push('--target', target);
  out ??= join(extDir, `layerwise-${target}.vsix`);
  console.log(`package: bundling ${server} as server/${process.platform}-${process.arch}/`);
} else {
  out ??= join(extDir, 'layerwise.vsix');
}
vsceArgs.push('--out', out);
run(bin('vsce'), vsceArgs);
console.log(`package: wrote ${out}`);
