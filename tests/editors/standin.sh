#!/usr/bin/env bash
# Checks the editor harness itself against a stand-in server, npm's
# dockerfile-language-server-nodejs, instead of layerwise: proves each client drives a server
# (attach, diagnostics, hover, completion, a code action applied) independently of what layerwise
# can do yet. Checks about layerwise's own behaviour are reported as "xfail (stand-in)".
#
#   tests/editors/standin.sh            # all clients
# Not part of the suites (they test layerwise); run it after changing the harness.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/target/editors/standin"
mkdir -p "$DIR"
if [ ! -x "$DIR/node_modules/.bin/docker-langserver" ]; then
  (cd "$DIR" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --silent dockerfile-language-server-nodejs@0.15.0 >/dev/null) || exit 1
fi
# The set-ups run `layerwise lsp`; the stand-in wants `--stdio`.
cat > "$DIR/layerwise-standin" <<WRAP
#!/bin/sh
exec "$DIR/node_modules/.bin/docker-langserver" --stdio
WRAP
chmod +x "$DIR/layerwise-standin"
export LAYERWISE_BIN="$DIR/layerwise-standin" LAYERWISE_EXPECT=standin
failed=()
nvim11="$ROOT/target/editors/nvim-venv/bin/nvim"
if [ -x "$nvim11" ]; then
  bash "$ROOT/tests/editors/neovim/run.sh" "$nvim11" layerwise || failed+=("nvim 0.11 layerwise.lua")
  bash "$ROOT/tests/editors/neovim/run.sh" "$nvim11" legacy || failed+=("nvim 0.11 legacy.lua")
fi
if command -v nvim >/dev/null; then
  bash "$ROOT/tests/editors/neovim/run.sh" "$(command -v nvim)" legacy || failed+=("nvim legacy.lua")
fi
if command -v emacs >/dev/null; then
  bash "$ROOT/tests/editors/emacs/run.sh" || failed+=("eglot")
  bash "$ROOT/tests/editors/emacs/check-lsp-mode.sh" || failed+=("lsp-mode")
fi
bash "$ROOT/tests/editors/helix/run.sh" || failed+=("helix")
[ ${#failed[@]} -eq 0 ] || { echo "harness failed with the stand-in: ${failed[*]}"; exit 1; }
echo "harness ok with the stand-in server"
