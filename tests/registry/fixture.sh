#!/usr/bin/env bash
# Real registries on loopback for layerwise's registry tests.
#
#   eval "$(bash tests/registry/fixture.sh start)"   # prints `export FIXTURE_...=...` lines
#   ... tests use $FIXTURE_PLAIN, $FIXTURE_AUTH, $FIXTURE_TOKEN, $FIXTURE_FAULT, ...
#   bash tests/registry/fixture.sh stop "$FIXTURE_DIR"
#
# Starts, all on 127.0.0.1 with free ports and throwaway state in a mktemp directory:
#   plain  Debian's docker-registry (distribution 2.8), plain HTTP, anonymous
#   auth   docker-registry over TLS (a throwaway CA signs its certificate) with htpasswd Basic auth
#   token  docker-registry with Docker-Hub-style bearer tokens from token_server.py
#   fault  fault_server.py (and its "sink", the other host redirects point to)
# and pushes, with skopeo, the image layout built by make_layout.py into the three registries:
#   fixture/hello:1.0    one linux/amd64 image, three gzip layers
#   fixture/hello:multi  an index of linux/amd64 and linux/arm64/v8 images
# Needs: docker-registry skopeo htpasswd (apache2-utils) openssl curl python3.
# Every process started is recorded in $FIXTURE_DIR/pids and stopped by PID in `stop`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
USER_NAME=fixture
USER_PASS=fixture-secret-7Qw9
IDENTITY_TOKEN=fixture-identity-token-K3m8

die() { echo "registry fixture: $*" >&2; exit 1; }

free_port() { # asks the kernel for a free port on 127.0.0.1
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # URL STATUS [curl args] -- polls until URL answers STATUS (at most 10 s)
  local url=$1 want=$2 got="" i; shift 2
  for i in $(seq 1 200); do
    got=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" || true)
    [ "$got" = "$want" ] && return 0
    sleep 0.05
  done
  die "$url answered '$got', expected $want"
}

spawn() { # NAME LOG CMD... -- starts a background process and records its PID
  local name=$1 log=$2; shift 2
  "$@" > "$log" 2>&1 &
  echo "$! $name" >> "$D/pids"
}

registry() { # NAME PORT EXTRA_CONFIG
  mkdir -p "$D/$1/data"
  cat > "$D/$1/config.yml" <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $D/$1/data
http:
  addr: 127.0.0.1:$2
  secret: fixture-$RANDOM$RANDOM
$3
YML
  spawn "registry-$1" "$D/$1/registry.log" docker-registry serve "$D/$1/config.yml"
}

cleanup_on_failure() {
  [ "${STARTED:-0}" = 1 ] && return 0
  [ -n "${D:-}" ] && [ -d "$D" ] || return 0
  tail -n 20 "$D"/*/registry.log "$D"/*.log >&2 2>/dev/null || true
  cmd_stop "$D" >/dev/null 2>&1 || true
}

cmd_start() {
  local c p_plain p_auth p_token p_tok p_fault p_sink ref
  for c in docker-registry skopeo htpasswd openssl curl python3; do
    command -v "$c" >/dev/null || die "missing command: $c"
  done
  D=$(mktemp -d "${TMPDIR:-/tmp}/layerwise-registry.XXXXXX")
  trap cleanup_on_failure EXIT
  : > "$D/pids"

  # TLS: a CA and a server certificate it signs (rustls refuses a self-signed end certificate).
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=layerwise test CA" \
    -keyout "$D/ca.key" -out "$D/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$D/server.key" -out "$D/server.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" > "$D/server.ext"
  openssl x509 -req -in "$D/server.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial -days 2 \
    -extfile "$D/server.ext" -out "$D/server.crt" 2>/dev/null
  mkdir -p "$D/certs.d" && cp "$D/ca.crt" "$D/certs.d/ca.crt"
  # The token signer.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=layerwise token signer" \
    -keyout "$D/token.key" -out "$D/token.crt" 2>/dev/null
  htpasswd -Bbn "$USER_NAME" "$USER_PASS" > "$D/htpasswd" 2>/dev/null
  printf '{"default":[{"type":"insecureAcceptAnything"}]}' > "$D/policy.json"
  python3 "$HERE/make_layout.py" "$D" > "$D/expected.env"

  p_plain=$(free_port); p_auth=$(free_port); p_token=$(free_port); p_tok=$(free_port)
  p_fault=$(free_port); p_sink=$(free_port)
  registry plain "$p_plain" ""
  registry auth "$p_auth" "  tls:
    certificate: $D/server.crt
    key: $D/server.key
auth:
  htpasswd:
    realm: layerwise-fixture
    path: $D/htpasswd"
  spawn token-server "$D/token-server.log" python3 "$HERE/token_server.py" "$p_tok" "$D/token.key" "$D/token.crt" \
    "$USER_NAME" "$USER_PASS" "$IDENTITY_TOKEN" layerwise-fixture
  registry token "$p_token" "auth:
  token:
    realm: http://127.0.0.1:$p_tok/token
    service: layerwise-fixture-registry
    issuer: layerwise-fixture
    rootcertbundle: $D/token.crt"
  spawn fault-server "$D/fault-server.log" python3 "$HERE/fault_server.py" fault "$p_fault" "$p_sink" "$USER_NAME" "$USER_PASS"
  spawn sink-server "$D/sink-server.log" python3 "$HERE/fault_server.py" sink "$p_sink"

  wait_for "http://127.0.0.1:$p_plain/v2/" 200
  wait_for "https://127.0.0.1:$p_auth/v2/" 401 --cacert "$D/ca.crt"
  wait_for "http://127.0.0.1:$p_tok/token?service=x" 200
  wait_for "http://127.0.0.1:$p_token/v2/" 401
  wait_for "http://127.0.0.1:$p_fault/v2/" 401
  wait_for "http://127.0.0.1:$p_sink/seen" 200

  for ref in 1.0 multi; do
    skopeo --policy "$D/policy.json" copy -q --all --dest-tls-verify=false \
      "oci:$D/layout:$ref" "docker://127.0.0.1:$p_plain/fixture/hello:$ref" >> "$D/skopeo.log" 2>&1
    skopeo --policy "$D/policy.json" copy -q --all --dest-cert-dir "$D/certs.d" --dest-creds "$USER_NAME:$USER_PASS" \
      "oci:$D/layout:$ref" "docker://127.0.0.1:$p_auth/fixture/hello:$ref" >> "$D/skopeo.log" 2>&1
    skopeo --policy "$D/policy.json" copy -q --all --dest-tls-verify=false --dest-creds "$USER_NAME:$USER_PASS" \
      "oci:$D/layout:$ref" "docker://127.0.0.1:$p_token/fixture/hello:$ref" >> "$D/skopeo.log" 2>&1
  done

  {
    echo "export FIXTURE_DIR=$D"
    echo "export FIXTURE_PLAIN=127.0.0.1:$p_plain"
    echo "export FIXTURE_AUTH=127.0.0.1:$p_auth"
    echo "export FIXTURE_TOKEN=127.0.0.1:$p_token"
    echo "export FIXTURE_FAULT=127.0.0.1:$p_fault"
    echo "export FIXTURE_SINK=127.0.0.1:$p_sink"
    echo "export FIXTURE_CA=$D/ca.crt"
    echo "export FIXTURE_USER=$USER_NAME"
    echo "export FIXTURE_PASS=$USER_PASS"
    echo "export FIXTURE_IDENTITY_TOKEN=$IDENTITY_TOKEN"
    echo "export FIXTURE_REPO=fixture/hello"
    cat "$D/expected.env"
  } > "$D/env"
  cat "$D/env"
  STARTED=1
}

cmd_stop() {
  local D=${1:-${FIXTURE_DIR:-}} pid name i
  [ -n "$D" ] && [ -f "$D/pids" ] || die "usage: $0 stop FIXTURE_DIR"
  while read -r pid name; do kill "$pid" 2>/dev/null || true; done < "$D/pids"
  while read -r pid name; do
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done < "$D/pids"
  rm -rf "$D"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 start | stop FIXTURE_DIR" >&2; exit 2 ;;
esac
