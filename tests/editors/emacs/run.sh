#!/usr/bin/env bash
# Runs tests/editors/emacs/test-eglot.el in batch Emacs with editors/emacs/layerwise-eglot.el
# loaded unchanged, as a user's init file would load it.
#
#   tests/editors/emacs/run.sh
#   env: LAYERWISE_BIN    the server binary (default: target/release/layerwise)
#        LAYERWISE_EXPECT layerwise (default) | standin (see tests/editors/neovim/test.lua)
#        WORK             scratch dir (default: a fresh mktemp -d); kept for inspection
#
# The set-up names the server as `layerwise` on exec-path, so a directory holding a wrapper
# for LAYERWISE_BIN goes first on PATH.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BIN="${LAYERWISE_BIN:-$ROOT/target/release/layerwise}"
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
[ -x "$BIN" ] || { echo "FAIL: server binary $BIN is missing or not executable" >&2; exit 1; }

# Batch Emacs may write under ~/.emacs.d: give it a fresh home.
export HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/bin"
cat > "$WORK/bin/layerwise" <<WRAP
#!/bin/sh
exec "$BIN" "\$@" 2>>"$WORK/server.log"
WRAP
chmod +x "$WORK/bin/layerwise"
export PATH="$WORK/bin:$PATH" LAYERWISE_LOG="${LAYERWISE_LOG:-debug}"

rm -rf "$WORK/ws" && mkdir -p "$WORK/ws/names"
cp -r "$ROOT/tests/editors/fixtures/single-stage" "$ROOT/tests/editors/fixtures/multi-stage" "$WORK/ws/"
for name in Containerfile app.Dockerfile Dockerfile.dev; do
  cp "$ROOT/tests/editors/fixtures/single-stage/Dockerfile" "$WORK/ws/names/$name"
done
# A repository, as most Dockerfiles live in one: Eglot (project.el) then runs one server for all.
if command -v git >/dev/null; then git -C "$WORK/ws" init -q; fi

export LW_WS="$WORK/ws" LW_EXPECT="${LAYERWISE_EXPECT:-layerwise}"
echo "emacs test: $(emacs --version | head -1), set-up editors/emacs/layerwise-eglot.el, work dir $WORK"
status=0
# Not -Q: Debian's elpa-* packages reach load-path through the site start-up files -Q skips.
# An interactive Emacs activates installed packages (their autoloads, e.g. dockerfile-mode's
# auto-mode-alist entries) before the init file; batch Emacs does not, so do it first.
timeout 240 emacs --batch --eval '(package-activate-all)' -l "$ROOT/editors/emacs/layerwise-eglot.el" -l "$HERE/test-eglot.el" \
  </dev/null 2>"$WORK/emacs.stderr" || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 124 ] && echo "FAIL: Emacs did not finish within 240 s"
  echo "--- Emacs messages ($WORK/emacs.stderr), last lines:"
  tail -n 20 "$WORK/emacs.stderr" || true
  echo "--- the server's stderr ($WORK/server.log), last lines:"
  tail -n 20 "$WORK/server.log" 2>/dev/null || echo "(none)"
fi
exit "$status"
