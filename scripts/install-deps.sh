#!/usr/bin/env bash
# Installs the Debian 12 packages TickStock needs to build and test, skipping
# what is already installed. Needs root (apt-get).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev
  libsqlite3-dev sqlite3 libhowardhinnant-date-dev tzdata
  libgtest-dev libbenchmark-dev
  libboost1.74-dev libboost-system1.74-dev libhiredis-dev redis-server libtoml11-dev
  libssl-dev libargon2-dev
  libpqxx-dev postgresql-15
  chromium
  clang libclang-rt-14-dev
)

# Node.js and npm validate the protocol documents (scripts/validate-specs.sh);
# only installed from Debian when no node is on the PATH at all.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages and not root; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
