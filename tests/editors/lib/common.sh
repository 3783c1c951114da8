# Shared by tests/suites/71-neovim.sh, 72-emacs.sh and 73-helix.sh (sourced, not run).
# Installs Debian packages only when missing, and builds the server the editor tests drive.

# apt_need PACKAGE... : installs the Debian packages that are not installed yet.
apt_need() {
  local missing=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing from Debian: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# layerwise_bin ROOT : prints the server binary to test. LAYERWISE_BIN wins; otherwise
# target/release/layerwise, (re)built by cargo (a no-op when it is up to date).
layerwise_bin() {
  local root="$1"
  if [ -n "${LAYERWISE_BIN:-}" ]; then
    echo "$LAYERWISE_BIN"
    return 0
  fi
  (cd "$root" && cargo build --release --quiet -p layerwise) >&2 || return 1
  echo "$root/target/release/layerwise"
}
