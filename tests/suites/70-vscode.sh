#!/usr/bin/env bash
# VS Code extension: unit tests, settings in sync with the server, the .vsix build, and the
# end-to-end test in real VS Code (code-server) running in Debian's Chromium.
#
# Installs what it needs on a fresh Debian machine (apt: chromium, ripgrep, a C++ toolchain for
# code-server's native modules; Node 20 from npm if `node` is another major), builds
# target/release/layerwise (or takes $LAYERWISE_BIN), and bundles it into a platform-specific
# .vsix so the test also proves the extension finds its bundled server. Every step runs even if an earlier one failed;
# the suite fails if any did. Screenshots and logs: tests/artifacts/vscode/.
set -uo pipefail
ROOT="${LAYERWISE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
EXT="$ROOT/editors/vscode"
export E2E_CACHE="$ROOT/target/vscode-e2e/cache"
failed=()
step() { printf '\n--- vscode: %s (%ss)\n' "$*" "$SECONDS"; }
fail() { echo "vscode: FAILED: $*"; failed+=("$1"); }

step "install: apt packages, Node 20, code-server + playwright-core (npm ci)"
if ! bash "$EXT/e2e/install.sh"; then
  echo "vscode: cannot install the test's dependencies; nothing else can run"
  exit 1
fi
# shellcheck source=../../editors/vscode/e2e/node-env.sh
. "$EXT/e2e/node-env.sh" || exit 1

step "build target/release/layerwise"
# LAYERWISE_BIN (as for the other editor suites) names a prebuilt server. Otherwise cargo builds
# target/release/layerwise: a no-op when it is up to date, and a rebuild of a stale one, since
# the test must exercise the server of this checkout.
if [ -n "${LAYERWISE_BIN:-}" ]; then
  BIN="$LAYERWISE_BIN"
else
  BIN="$ROOT/target/release/layerwise"
  (cd "$ROOT" && cargo build --release -p layerwise --quiet) || fail "cargo-build"
fi
"$BIN" --version 2>/dev/null || echo "vscode: (no server at $BIN, or it does not answer --version)"

step "extension: npm ci"
# npm ci takes about a minute here (277 packages); skip it when node_modules was installed from
# this very lockfile with this Node.
stamp="$(sha256sum < "$EXT/package-lock.json" | cut -c1-16)-node$(node --version)"
if [ -f "$EXT/node_modules/.layerwise-stamp" ] && [ "$(cat "$EXT/node_modules/.layerwise-stamp")" = "$stamp" ]; then
  echo "vscode: node_modules up to date ($stamp)"
elif (cd "$EXT" && npm ci --no-audit --no-fund --loglevel=error); then
  echo "$stamp" > "$EXT/node_modules/.layerwise-stamp"
else
  fail "npm-ci"
fi

step "extension: unit tests (type-check, server discovery, settings generator)"
(cd "$EXT" && npm test) || fail "unit-tests"

step "extension: package.json settings match \`layerwise settings-schema\`"
node "$EXT/scripts/gen-settings.mjs" --check --server "$BIN" || fail "settings-in-sync"

step "extension: build the .vsix with the server bundled"
VSIX="$ROOT/target/vscode-e2e/layerwise.vsix"
mkdir -p "$(dirname "$VSIX")"
if [ -x "$BIN" ]; then
  (cd "$EXT" && node scripts/package.mjs --server "$BIN" --out "$VSIX") || fail "vsix"
else
  fail "vsix (no $BIN to bundle)"
fi

if [ -f "$VSIX" ]; then
  step "end-to-end: real VS Code in Chromium"
  LAYERWISE_VSIX="$VSIX" bash "$EXT/e2e/run.sh" || fail "e2e"
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "vscode: failed steps: ${failed[*]} (${SECONDS}s; screenshots and logs in tests/artifacts/vscode/)"
  exit 1
fi
echo "vscode: all steps passed (${SECONDS}s)"
