#!/usr/bin/env bash
# ensure-deb.sh COMMAND PACKAGE: installs a Debian package when COMMAND is missing, so
# `make run` and `make test` work on a fresh machine with nothing installed by hand.
set -euo pipefail
command -v "$1" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "$1 is missing: install it with: sudo apt-get install -y $2" >&2
  exit 1
fi
echo "Installing $2 (Debian package)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$2" >/dev/null
