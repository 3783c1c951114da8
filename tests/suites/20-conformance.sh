#!/usr/bin/env bash
# Differential test of the parser against BuildKit's own (PyPI `dockerfile`) on the corpus.
# Needs ../shared/corpus (CI and the core team have it; a user's clone skips this suite).
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${LAYERWISE_CORPUS:-../shared/corpus}
if [ ! -d "$corpus" ]; then
  echo "skipped: no corpus at $corpus"
  exit 0
fi
venv=target/venv-conformance
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet dockerfile==3.4.0
fi
cargo build --quiet -p layerwise
"$venv/bin/python" tests/conformance/differential.py target/debug/layerwise "$corpus"
