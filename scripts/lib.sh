# Shared helpers of scripts/run and scripts/test: install what is missing, build the app.
# Sourced, not executed. Everything here is idempotent and cheap when the tools exist.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# wasm-bindgen CLI must equal the wasm-bindgen crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION="0.2.130"
TOOLS_DIR="${KONTOR_TOOLS_DIR:-$HOME/.cache/kontor-tools}"
export PATH="$TOOLS_DIR/bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (install sudo or run as root)"; fi
}

# Debian packages: installs only those whose command is missing.
ensure_packages() {
  local missing=()
  command -v cc >/dev/null || missing+=(build-essential)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v node >/dev/null || missing+=(nodejs npm)
  command -v brotli >/dev/null || missing+=(brotli)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # real services the service check tests start on their own ports (as the current user)
  [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ] || missing+=(mariadb-server)
  [ -x /usr/lib/dovecot/imap-login ] || missing+=(dovecot-imapd)
  [ -x /usr/lib/dovecot/pop3-login ] || missing+=(dovecot-pop3d)
  [ -x /usr/sbin/vsftpd ] || missing+=(vsftpd)
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
    as_root apt-get update -qq || die "apt-get update failed (no network to the Debian mirror?)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
      || die "could not install ${missing[*]}"
  fi
}

# The independent e-invoice validator (../shared/einvoice-kit, or EINVOICE_KIT): the billing
# tests run every generated XML through it. Its installer fetches from PyPI and Debian only.
ensure_einvoice_kit() {
  export EINVOICE_KIT="${EINVOICE_KIT:-$ROOT/../shared/einvoice-kit}"
  [ -f "$EINVOICE_KIT/validate.py" ] \
    || die "the e-invoice validator was not found at $EINVOICE_KIT (set EINVOICE_KIT to the einvoice-kit folder)"
  local home="${EINVOICE_KIT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/einvoice-kit}"
  if [ ! -x "$home/venv/bin/python" ] || [ ! -d "$home/rules" ]; then
    say "Installing the e-invoice validator (PyPI)"
    sh "$EINVOICE_KIT/install.sh" >/dev/null || die "could not install the e-invoice validator"
  fi
}

ensure_rust() {
  command -v cargo >/dev/null || die "Rust is missing: install rustup (https://rustup.rs) first"
  if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown || die "rustup could not add wasm32-unknown-unknown"
  fi
}

# The wasm-bindgen CLI from crates.io. Its published lockfile names a webpki-roots
# release this network's registry lacks, so we pin the one before it.
ensure_wasm_bindgen() {
  if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q "$WASM_BINDGEN_VERSION"; then
    return
  fi
  say "Building wasm-bindgen-cli $WASM_BINDGEN_VERSION from source (one-time, ~6 min)"
  local src="$TOOLS_DIR/src/wasm-bindgen-cli-$WASM_BINDGEN_VERSION"
  mkdir -p "$TOOLS_DIR/src"
  if [ ! -d "$src" ]; then
    curl -fsSL "https://static.crates.io/crates/wasm-bindgen-cli/wasm-bindgen-cli-$WASM_BINDGEN_VERSION.crate" \
      | tar xz -C "$TOOLS_DIR/src" || die "could not download wasm-bindgen-cli from crates.io"
  fi
  (cd "$src" && { cargo update -q -p webpki-roots --precise 1.0.10 2>/dev/null || true; } \
    && cargo install -q --path . --locked --root "$TOOLS_DIR") \
    || die "building wasm-bindgen-cli failed"
}

ensure_node_modules() {
  if [ ! -d "$ROOT/end2end/node_modules/playwright-core" ]; then
    say "Installing playwright-core (npm, no browser download)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --silent) || die "npm ci in end2end failed"
  fi
}

# Builds the browser bundle into target/site and the server binary.
# $1: cargo profile of the server (dev or release). The WASM always uses the size profile.
build_app() {
  local server_profile="${1:-release}"
  local target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
  local site="$target_dir/site"
  say "Building the WASM client"
  (cd "$ROOT" && cargo build -q -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release)
  mkdir -p "$site/pkg"
  # no wasm-opt: Debian's binaryen (v108) makes the brotli-compressed file larger, not smaller
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$site/pkg" --out-name kontor \
    "$target_dir/wasm32-unknown-unknown/wasm-release/frontend.wasm"
  cat "$ROOT"/style/*.css > "$site/pkg/kontor.css"
  cp -r "$ROOT/style/public/." "$site/" 2>/dev/null || true
  say "Building the server ($server_profile)"
  (cd "$ROOT" && cargo build -q -p server --bin kontor --profile "$server_profile")
}
