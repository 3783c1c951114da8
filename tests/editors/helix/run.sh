#!/usr/bin/env bash
# Tests editors/helix/languages.toml: its TOML and structure, and the command line it names run
# against the server binary the way Helix runs it (see check_languages.py).
#
#   tests/editors/helix/run.sh
#   env: LAYERWISE_BIN    the server binary (default: target/release/layerwise)
#        LAYERWISE_EXPECT layerwise (default) | standin (see tests/editors/neovim/test.lua)
#        WORK             scratch dir (default: a fresh mktemp -d); kept for inspection
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BIN="${LAYERWISE_BIN:-$ROOT/target/release/layerwise}"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
[ -x "$BIN" ] || { echo "FAIL: server binary $BIN is missing or not executable" >&2; exit 1; }

# The snippet names `layerwise` on PATH, as Helix would look it up.
mkdir -p "$WORK/bin"
ln -sf "$BIN" "$WORK/bin/layerwise"
export PATH="$WORK/bin:$PATH" LAYERWISE_LOG="${LAYERWISE_LOG:-debug}"
rm -rf "$WORK/ws" && mkdir -p "$WORK/ws"
cp -r "$ROOT/tests/editors/fixtures/single-stage" "$WORK/ws/"

export LW_EXPECT="${LAYERWISE_EXPECT:-layerwise}"
echo "helix test: editors/helix/languages.toml, $(python3 --version), work dir $WORK"
status=0
timeout 120 python3 "$HERE/check_languages.py" "$ROOT/editors/helix/languages.toml" "$WORK/ws" || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 124 ] && echo "FAIL: the check did not finish within 120 s"
  echo "--- the server's stderr ($WORK/server.log), last lines:"
  tail -n 20 "$WORK/server.log" 2>/dev/null || echo "(none)"
fi
exit "$status"
