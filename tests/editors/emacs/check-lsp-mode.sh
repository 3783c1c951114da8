#!/usr/bin/env bash
# Runs tests/editors/emacs/test-lsp-mode.el: batch Emacs with Debian's lsp-mode and
# editors/emacs/layerwise-lsp-mode.el loaded unchanged. Env as run.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BIN="${LAYERWISE_BIN:-$ROOT/target/release/layerwise}"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
[ -x "$BIN" ] || { echo "FAIL: server binary $BIN is missing or not executable" >&2; exit 1; }
export HOME="$WORK/home"
mkdir -p "$HOME/.emacs.d" "$WORK/bin"
cat > "$WORK/bin/layerwise" <<WRAP
#!/bin/sh
exec "$BIN" "\$@" 2>>"$WORK/server.log"
WRAP
chmod +x "$WORK/bin/layerwise"
export PATH="$WORK/bin:$PATH" LAYERWISE_LOG="${LAYERWISE_LOG:-debug}"
rm -rf "$WORK/ws" && mkdir -p "$WORK/ws"
cp -r "$ROOT/tests/editors/fixtures/single-stage" "$WORK/ws/"
if command -v git >/dev/null; then git -C "$WORK/ws" init -q; fi
export LW_WS="$WORK/ws" LW_EXPECT="${LAYERWISE_EXPECT:-layerwise}"
echo "emacs lsp-mode test: set-up editors/emacs/layerwise-lsp-mode.el, work dir $WORK"
status=0
timeout 180 emacs --batch --eval '(package-activate-all)' -l "$ROOT/editors/emacs/layerwise-lsp-mode.el" \
  -l "$HERE/test-lsp-mode.el" </dev/null 2>"$WORK/emacs.stderr" || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 124 ] && echo "FAIL: Emacs did not finish within 180 s"
  echo "--- Emacs messages ($WORK/emacs.stderr), last lines:"; tail -n 20 "$WORK/emacs.stderr" || true
  echo "--- the server's stderr ($WORK/server.log), last lines:"; tail -n 20 "$WORK/server.log" 2>/dev/null || echo "(none)"
fi
exit "$status"
