#!/usr/bin/env bash
# The Helix snippet (editors/helix/languages.toml): TOML and structure checked with Python's
# tomllib, and the command line it names run against target/release/layerwise as Helix runs it.
# (Helix itself is in none of the package registries this project uses.)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/tests/editors/lib/common.sh"

if ! python3 -c 'import tomllib' 2>/dev/null; then apt_need python3 || exit 1; fi
python3 -c 'import tomllib' || { echo "FAIL: python3 >= 3.11 (tomllib) is needed"; exit 1; }
BIN="$(layerwise_bin "$ROOT")" || { echo "FAIL: could not build the server"; exit 1; }
LAYERWISE_BIN="$BIN" WORK="$(mktemp -d)" bash "$ROOT/tests/editors/helix/run.sh"
