#!/usr/bin/env bash
# The Emacs set-up (editors/emacs/layerwise-eglot.el) in batch Emacs 28 + Eglot 1.9 (Debian)
# against target/release/layerwise; layerwise-lsp-mode.el is loaded against Debian's lsp-mode.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/tests/editors/lib/common.sh"

apt_need emacs-nox elpa-eglot elpa-dockerfile-mode elpa-lsp-mode git || exit 1
BIN="$(layerwise_bin "$ROOT")" || { echo "FAIL: could not build the server"; exit 1; }
export LAYERWISE_BIN="$BIN"
status=0
WORK="$(mktemp -d)" bash "$ROOT/tests/editors/emacs/run.sh" || status=1
bash "$ROOT/tests/editors/emacs/check-lsp-mode.sh" || status=1
exit "$status"
