#!/usr/bin/env bash
# Generated documentation must match the code: docs/rules/ comes from the rules' doc comments.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --quiet -p layerwise -- rules --write-docs docs/rules --check
echo "docs/rules is up to date"
