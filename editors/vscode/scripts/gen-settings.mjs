#!/usr/bin/env node
// Writes package.json's contributes.configuration from the server's own settings definition
// (`layerwise settings-schema`) plus the extension's client-only settings
// (scripts/client-settings.json), so the settings VS Code offers cannot drift from the settings
// the server reads. The settings table in docs/editors/vscode.md is generated from the same data.
//
//   node scripts/gen-settings.mjs            regenerate package.json and the docs table
//   node scripts/gen-settings.mjs --check    exit 1 if either is stale (CI)
//   options: --server PATH   the layerwise binary (default: $LAYERWISE_SERVER, else
//                            ../../target/release/layerwise relative to this extension)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  diffConfiguration, mergeConfiguration, renderPackageJson, renderSettingsTable, replaceSettingsSection, validateServerSchema,
} from './settings-lib.mjs';

const extDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkgPath = join(extDir, 'package.json');
const docsPath = join(extDir, '..', '..', 'docs', 'editors', 'vscode.md');

function fail(message) {
  console.error(`gen-settings: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { check: false, server: process.env.LAYERWISE_SERVER || join(extDir, '..', '..', 'target', 'release', 'layerwise') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--server' && i + 1 < argv.length) opts.server = resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: gen-settings.mjs [--check] [--server PATH]');
      process.exit(0);
    } else fail(`unknown argument "${a}" (usage: gen-settings.mjs [--check] [--server PATH])`);
  }
  return opts;
}

/** Runs `<server> settings-schema` and returns its parsed stdout, or exits with a clear message. */
function readServerSchema(server) {
  if (!existsSync(server)) {
    fail(`no layerwise binary at ${server}. Build it with \`cargo build --release -p layerwise\` ` +
      'or pass --server PATH (or set LAYERWISE_SERVER).');
  }
  const run = spawnSync(server, ['settings-schema'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  if (run.error) fail(`could not run \`${server} settings-schema\`: ${run.error.message}`);
  if (run.status !== 0) {
    const stderr = (run.stderr || '').trim().split('\n').slice(-5).join('\n  ');
    fail(`\`${server} settings-schema\` exited with ${run.status ?? run.signal}.\n  ${stderr}\n` +
      'This binary does not provide the settings-schema command (it must print ' +
      '{"properties": {"layerwise.…": {type, default, description, enum?}}}); build a newer layerwise. ' +
      'package.json keeps its current settings until then.');
  }
  try {
    return JSON.parse(run.stdout);
  } catch (e) {
    fail(`\`${server} settings-schema\` did not print JSON (${e.message}); first bytes: ${JSON.stringify(run.stdout.slice(0, 120))}`);
  }
}

const opts = parseArgs(process.argv.slice(2));
const pkgText = readFileSync(pkgPath, 'utf8');
const pkg = JSON.parse(pkgText);
const clientProps = JSON.parse(readFileSync(join(extDir, 'scripts', 'client-settings.json'), 'utf8'));
let configuration;
try {
  configuration = mergeConfiguration(validateServerSchema(readServerSchema(opts.server)), clientProps);
} catch (e) {
  fail(e.message);
}

const current = pkg.contributes && pkg.contributes.configuration;
const diff = diffConfiguration(current, configuration);
// The docs page is optional (the extension can be built from a partial checkout), but when it
// exists its settings table must match.
let docsText;
let docsNext;
if (existsSync(docsPath)) {
  docsText = readFileSync(docsPath, 'utf8');
  try {
    docsNext = replaceSettingsSection(docsText, renderSettingsTable(configuration));
  } catch (e) {
    fail(`${docsPath}: ${e.message}`);
  }
}
const docsStale = docsNext !== undefined && docsNext !== docsText;

if (opts.check) {
  const problems = [];
  if (diff.length > 0) {
    problems.push(`package.json's contributes.configuration is stale compared with \`${opts.server} settings-schema\`:\n  ${diff.join('\n  ')}`);
  }
  if (docsStale) problems.push(`the settings table in ${docsPath} is stale`);
  if (problems.length > 0) {
    fail(`${problems.join('\n')}\nRun \`npm run gen-settings\` in editors/vscode and commit the result.`);
  }
  console.log(`gen-settings: package.json${docsNext !== undefined ? ' and the docs table are' : ' is'} up to date (${Object.keys(configuration.properties).length} settings)`);
} else {
  const next = renderPackageJson(pkg, configuration);
  if (next !== pkgText) writeFileSync(pkgPath, next);
  if (docsStale) writeFileSync(docsPath, docsNext);
  console.log(diff.length > 0
    ? `gen-settings: updated package.json:\n  ${diff.join('\n  ')}`
    : 'gen-settings: package.json already up to date');
  if (docsStale) console.log(`gen-settings: updated the settings table in ${docsPath}`);
}
