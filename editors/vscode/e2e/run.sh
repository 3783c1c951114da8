#!/usr/bin/env bash
# Runs the end-to-end test once: a fresh code-server (real VS Code 1.100) with a fresh user-data
# dir and only our .vsix installed, a scratch copy of workspace/, then vscode-e2e.mjs driving it
# in headless Chromium. Needs ./install.sh to have run.
#
# env: LAYERWISE_VSIX        the .vsix to install (required)
#      LAYERWISE_E2E_SERVER  optional server executable for layerwise.server.path; without it the
#                            extension must find its bundled server (or one on PATH)
#      ARTIFACTS             screenshots, results.json, logs (default <repo>/tests/artifacts/vscode)
#      WORK                  scratch dir, wiped per run (default <repo>/target/vscode-e2e/run)
#      E2E_TIMEOUT           seconds for the browser part (default 480)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
export E2E_CACHE="${E2E_CACHE:-$ROOT/target/vscode-e2e/cache}"
ARTIFACTS="${ARTIFACTS:-$ROOT/tests/artifacts/vscode}"
WORK="${WORK:-$ROOT/target/vscode-e2e/run}"
E2E_TIMEOUT="${E2E_TIMEOUT:-480}"
VSIX="${LAYERWISE_VSIX:?set LAYERWISE_VSIX to the .vsix to test}"
[ -f "$VSIX" ] || { echo "e2e: no .vsix at $VSIX" >&2; exit 1; }
# shellcheck source=node-env.sh
. "$HERE/node-env.sh"
CS="$HERE/node_modules/.bin/code-server"
[ -x "$CS" ] || { echo "e2e: code-server is not installed; run $HERE/install.sh" >&2; exit 1; }
command -v chromium >/dev/null || { echo "e2e: chromium is not installed; run $HERE/install.sh" >&2; exit 1; }

rm -rf "$WORK" "$ARTIFACTS"
mkdir -p "$WORK/ud/User" "$WORK/exts" "$WORK/xdg/config" "$WORK/xdg/data" "$WORK/xdg/cache" "$ARTIFACTS"
WS="$WORK/ws"
cp -r "$HERE/workspace" "$WS"
# code-server writes ~/.config/code-server and ~/.local/share; keep all of it in the scratch dir.
export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" XDG_CACHE_HOME="$WORK/xdg/cache"
# The server runs offline (registry.offline below); LAYERWISE_LOG makes its log useful on failure.
export LAYERWISE_LOG="${LAYERWISE_LOG:-debug}"
# No network for code-server, its extension host and our server either: HTTP clients that honour
# the proxy variables get a dead proxy for everything but loopback.
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9
export http_proxy="$HTTP_PROXY" https_proxy="$HTTPS_PROXY" all_proxy="$ALL_PROXY"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

server_setting=''
if [ -n "${LAYERWISE_E2E_SERVER:-}" ]; then
  server_setting="\"layerwise.server.path\": $(node -p 'JSON.stringify(process.argv[1])' "$LAYERWISE_E2E_SERVER"),"
fi
cat > "$WORK/ud/User/settings.json" <<EOF
{
  $server_setting
  "layerwise.registry.offline": true,
  "layerwise.trace.server": "messages",
  "editor.inlayHints.enabled": "on",
  "editor.hover.delay": 150,
  "editor.wordBasedSuggestions": "off",
  "editor.quickSuggestions": { "other": false, "comments": false, "strings": false },
  "editor.lightbulb.enabled": "off",
  "workbench.editor.enablePreview": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.colorTheme": "Default Light Modern",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "files.autoSave": "off",
  "chat.disableAIFeatures": true
}
EOF

PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$WORK/config.yaml"
CSARGS=(--config "$WORK/config.yaml" --user-data-dir "$WORK/ud" --extensions-dir "$WORK/exts")

echo "e2e: installing $(basename "$VSIX") into code-server $("$CS" --version | tail -1 | cut -d' ' -f1)"
"$CS" "${CSARGS[@]}" --install-extension "$VSIX" > "$WORK/install-extension.log" 2>&1 ||
  { cat "$WORK/install-extension.log"; echo "e2e: installing the .vsix failed" >&2; exit 1; }
"$CS" "${CSARGS[@]}" --list-extensions --show-versions | grep -q '^layerwise\.layerwise@' ||
  { cat "$WORK/install-extension.log"; echo "e2e: layerwise.layerwise is not listed after installing the .vsix" >&2; exit 1; }

collect() {
  mkdir -p "$ARTIFACTS/logs"
  cp "$WORK/code-server.log" "$ARTIFACTS/logs/" 2>/dev/null || true
  # The extension host log and the 'layerwise' output channel (server stderr + LSP trace).
  [ -d "$WORK/ud/logs" ] && cp -r "$WORK/ud/logs/." "$ARTIFACTS/logs/" 2>/dev/null || true
}

# Its own session (setsid) so stopping it takes the extension host and our server down too.
setsid "$CS" "${CSARGS[@]}" --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened "$WS" > "$WORK/code-server.log" 2>&1 &
CS_PID=$!
stop_code_server() {
  kill -TERM -- "-$CS_PID" 2>/dev/null || kill -TERM "$CS_PID" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$CS_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$CS_PID" 2>/dev/null || true
  wait "$CS_PID" 2>/dev/null || true
  collect
}
trap stop_code_server EXIT

up=''
for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$up" ]; then
  tail -30 "$WORK/code-server.log"
  echo "e2e: code-server did not answer on 127.0.0.1:$PORT within 60s" >&2
  exit 1
fi

echo "e2e: code-server on 127.0.0.1:$PORT; driving Chromium (limit ${E2E_TIMEOUT}s)"
set +e
VSCODE_URL="http://127.0.0.1:$PORT/" WS="$WS" SHOTS="$ARTIFACTS" RESULT_JSON="$ARTIFACTS/results.json" \
  timeout --kill-after=15 "$E2E_TIMEOUT" node "$HERE/vscode-e2e.mjs"
rc=$?
set -e
[ $rc -eq 124 ] && echo "e2e: the browser part did not finish within ${E2E_TIMEOUT}s" >&2
echo "e2e: artifacts in $ARTIFACTS"
exit $rc
