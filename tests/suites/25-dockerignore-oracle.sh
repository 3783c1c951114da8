#!/usr/bin/env bash
# Differential test of our .dockerignore matcher against Docker's own matcher code
# (moby/patternmatcher from Debian, built with Debian's Go) on generated ignore files.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v go >/dev/null 2>&1 && ! ls /usr/lib/go-*/bin/go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/moby/patternmatcher ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go golang-github-moby-patternmatcher-dev >/dev/null
  else
    echo "skipped: needs golang-go and golang-github-moby-patternmatcher-dev (run as root to install)"
    exit 0
  fi
fi
LAYERWISE_REQUIRE_ORACLE=1 cargo test --quiet -p layerwise-context --test docker_oracle
