#!/usr/bin/env bash
# The Rust test suite: unit, integration and property tests of every crate, plus formatting,
# lints and the generated-docs freshness check.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -d ../shared/corpus ]; then export LAYERWISE_REQUIRE_CORPUS=1; fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --quiet 2>&1 | tee target/cargo-test.log
