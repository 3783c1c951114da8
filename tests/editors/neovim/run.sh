#!/usr/bin/env bash
# Runs tests/editors/neovim/test.lua in a real headless Neovim with one of the set-ups from
# editors/neovim/ installed as the user's init.lua, exactly as a user would paste it.
#
#   tests/editors/neovim/run.sh NVIM_BINARY SETUP
#     SETUP: layerwise (0.11+ vim.lsp.config), legacy (0.7-0.10 vim.lsp.start), lspconfig
#   env: LAYERWISE_BIN    the server binary (default: target/release/layerwise)
#        LAYERWISE_EXPECT layerwise (default) | standin (see test.lua)
#        LSPCONFIG_DIR    a checkout of nvim-lspconfig (needed for SETUP=lspconfig only)
#        WORK             scratch dir (default: a fresh mktemp -d); kept for inspection
#
# The set-ups name the server as `layerwise` on $PATH, so the test puts a directory holding a
# link to LAYERWISE_BIN first on PATH: the set-up files are tested unchanged.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
NVIM_BIN="${1:?usage: run.sh NVIM_BINARY SETUP}"
SETUP="${2:?usage: run.sh NVIM_BINARY SETUP}"
BIN="${LAYERWISE_BIN:-$ROOT/target/release/layerwise}"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

[ -x "$BIN" ] || { echo "FAIL: server binary $BIN is missing or not executable" >&2; exit 1; }
case "$SETUP" in
  layerwise|legacy|lspconfig) ;;
  *) echo "FAIL: unknown set-up '$SETUP'" >&2; exit 2 ;;
esac

# A fresh home for everything Neovim reads or writes: config, data, state (lsp.log), cache.
export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" \
  XDG_STATE_HOME="$WORK/xdg/state" XDG_CACHE_HOME="$WORK/xdg/cache" HOME="$WORK/home"
mkdir -p "$XDG_CONFIG_HOME/nvim" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$HOME"
{
  if [ "$SETUP" = lspconfig ]; then
    [ -d "${LSPCONFIG_DIR:-}" ] || { echo "FAIL: SETUP=lspconfig needs LSPCONFIG_DIR" >&2; exit 2; }
    printf 'vim.opt.runtimepath:prepend([[%s]])\n' "$LSPCONFIG_DIR"
  fi
  cat "$ROOT/editors/neovim/$SETUP.lua"
} > "$XDG_CONFIG_HOME/nvim/init.lua"

# The server as the set-up finds it: `layerwise` on PATH. Its stderr (logs) goes to a file.
mkdir -p "$WORK/bin"
cat > "$WORK/bin/layerwise" <<EOF
#!/bin/sh
exec "$BIN" "\$@" 2>>"$WORK/server.log"
EOF
chmod +x "$WORK/bin/layerwise"
export PATH="$WORK/bin:$PATH" LAYERWISE_LOG="${LAYERWISE_LOG:-debug}"

# Fresh copies of the fixtures: the test edits them and applies code actions.
rm -rf "$WORK/ws" && mkdir -p "$WORK/ws/names"
cp -r "$ROOT/tests/editors/fixtures/single-stage" "$ROOT/tests/editors/fixtures/multi-stage" "$WORK/ws/"
for name in Containerfile app.Dockerfile Dockerfile.dev; do
  cp "$ROOT/tests/editors/fixtures/single-stage/Dockerfile" "$WORK/ws/names/$name"
done
# A repository, as most Dockerfiles live in one: the set-ups then run one server for all of them.
if command -v git >/dev/null; then git -C "$WORK/ws" init -q; fi

export LW_WS="$WORK/ws" LW_SETUP="$SETUP" LW_EXPECT="${LAYERWISE_EXPECT:-layerwise}"
echo "neovim test: $("$NVIM_BIN" --version | head -1), set-up editors/neovim/$SETUP.lua, work dir $WORK"
status=0
# -i NONE: no shada. The test file always ends Neovim itself; timeout is the last resort.
timeout 240 "$NVIM_BIN" --headless -i NONE -c "luafile $HERE/test.lua" "$WORK/ws/single-stage/Dockerfile" \
  </dev/null || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 124 ] && echo "FAIL: Neovim did not finish within 240 s"
  echo "--- last lines of the server's stderr ($WORK/server.log):"
  tail -n 20 "$WORK/server.log" 2>/dev/null || echo "(none)"
  echo "--- last lines of Neovim's lsp.log:"
  tail -n 20 "$XDG_STATE_HOME/nvim/lsp.log" 2>/dev/null || echo "(none)"
fi
exit "$status"
