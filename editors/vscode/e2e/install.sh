#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs on a fresh Debian machine, skipping whatever
# is already there: Debian's chromium (the browser), ripgrep (stands in for @vscode/ripgrep's
# GitHub download), libkrb5-dev + a C++ toolchain (code-server's native modules), then
# `npm ci` of code-server and playwright-core in this folder.
#
# env: E2E_CACHE  where a Node 20 goes if `node` is another major (default: <repo>/target/vscode-e2e/cache)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
export E2E_CACHE="${E2E_CACHE:-$ROOT/target/vscode-e2e/cache}"
mkdir -p "$E2E_CACHE"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v make >/dev/null || need+=(make)
command -v g++ >/dev/null || need+=(g++)
command -v python3 >/dev/null || need+=(python3)
command -v curl >/dev/null || need+=(curl)
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "e2e: apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

# shellcheck source=node-env.sh
. "$HERE/node-env.sh"

cd "$HERE"
# `npm ci` wipes node_modules and recompiles native modules (~1 min); skip it when the
# installed tree came from this very lockfile and Node.
stamp="$(sha256sum < package-lock.json | cut -c1-16)-node$(node --version)"
if [ -f node_modules/.layerwise-e2e-stamp ] && [ "$(cat node_modules/.layerwise-e2e-stamp)" = "$stamp" ] &&
   [ -x node_modules/.bin/code-server ]; then
  echo "e2e: node_modules up to date ($stamp)"
  exit 0
fi

# code-server's postinstall pulls @vscode/ripgrep, which downloads rg from GitHub unless its
# cache already holds the archive: seed the cache with Debian's rg. The versions are those of
# code-server 4.100.3's lib/vscode (newer code-server releases need no download).
RG_PKG=1.15.11
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RG_PKG"
mkdir -p "$rg_cache"
[ -f "$rg_cache/$RG_ASSET" ] || tar czf "$rg_cache/$RG_ASSET" -C "$(dirname "$(command -v rg)")" rg

echo "e2e: npm ci (code-server, playwright-core) with Node $(node --version)"
# unsafe_perm: code-server's postinstall refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp`, which must not stop to ask.
if ! npm_config_unsafe_perm=true npm_config_yes=true npm ci --foreground-scripts --no-audit --no-fund > "$E2E_CACHE/npm-ci.log" 2>&1; then
  tail -40 "$E2E_CACHE/npm-ci.log"
  echo "e2e: npm ci failed; full log: $E2E_CACHE/npm-ci.log" >&2
  exit 1
fi
./node_modules/.bin/code-server --version | tail -1
echo "$stamp" > node_modules/.layerwise-e2e-stamp
