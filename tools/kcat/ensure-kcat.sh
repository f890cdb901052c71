#!/usr/bin/env bash
# Makes sure `kcat` (the Kafka command-line client, Debian's `kcat` package) is on the PATH: the
# distributed end-to-end tests produce and read raw messages with it, as any Kafka user would.
#
#   tools/kcat/ensure-kcat.sh          install kcat with apt-get if missing; prints its path
#
# Fails with a message naming what to do when it cannot install it (never silently: the tests
# that use kcat must fail, not skip, on a machine without it).
set -euo pipefail

say() { printf 'ensure-kcat: %s\n' "$*" >&2; }

if command -v kcat >/dev/null 2>&1; then
  command -v kcat
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || { say "kcat is not installed and apt-get is unavailable: install Debian's kcat package (or put kcat on the PATH)"; exit 1; }
if [ "$(id -u)" != 0 ]; then
  say "kcat is not installed and installing it needs root: run 'sudo apt-get install -y kcat'"
  exit 1
fi

# Two test runs may race here; apt's own lock serialises them, the wait bounds it.
export DEBIAN_FRONTEND=noninteractive
say "installing kcat from Debian's packages"
if ! apt-get install -y -qq -o DPkg::Lock::Timeout=300 kcat >/dev/null 2>&1; then
  apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null 2>&1 || true
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 kcat >/dev/null || { say "apt-get install kcat failed"; exit 1; }
fi
command -v kcat >/dev/null 2>&1 || { say "kcat still not on the PATH after installing it"; exit 1; }
command -v kcat
