#!/usr/bin/env bash
# End-to-end tests of the language server: the built binary driven over stdio.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet -p layerwise
cd tests/lsp
python3 -m unittest discover -v -p 'test_*.py' 2>&1 | tail -n 40
python3 -m unittest discover -v -s ../reliability -t ../reliability -p 'test_*.py' 2>&1 | tail -n 20
# the benchmark harness's own tests (framing, generator, process figures; no server needed)
(cd ../../bench/lsp && python3 -m unittest test_lsp_bench 2>&1 | tail -n 40)
exit "${PIPESTATUS[0]}"
