#!/usr/bin/env bash
# The registry client against real registries on loopback: plain HTTP, TLS + Basic auth with a
# throwaway CA, bearer tokens (Docker Hub's flow), and a fault server (404/401/403/429/500, slow,
# oversized, malformed, digest mismatch, cross-host redirect). Only 127.0.0.1 is contacted.
# Then the built `layerwise lsp` against the same registries (tests/lsp/test_registry_*.py):
# hover, inlay hints, lenses, completion, code actions, the disk cache, and the faults.
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
for c in docker-registry skopeo htpasswd openssl curl python3; do
  command -v "$c" >/dev/null || need+=("$c")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing registry fixture tools (missing: ${need[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker-registry skopeo apache2-utils openssl curl python3 >/dev/null
fi
cargo build --quiet -p layerwise-registry --tests
cargo build --quiet -p layerwise
eval "$(bash tests/registry/fixture.sh start)"
trap 'bash tests/registry/fixture.sh stop "$FIXTURE_DIR"' EXIT
# Loopback must never go through a proxy the environment may name.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
LAYERWISE_REQUIRE_REGISTRY=1 cargo test --quiet -p layerwise-registry --test live_registry
(cd tests/lsp && LAYERWISE_REQUIRE_REGISTRY=1 python3 -m unittest -v test_registry_sizes test_registry_faults test_registry_actions)
