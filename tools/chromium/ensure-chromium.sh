#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed: the console's browser tests drive it with
# playwright-core (never a browser build downloaded by Playwright).
#
#   tools/chromium/ensure-chromium.sh   install chromium with apt-get if missing; prints its path
#
# Fails with a message naming what to do when it cannot install it (never silently: the browser
# tests must fail, not skip, on a machine without it).
set -euo pipefail

say() { printf 'ensure-chromium: %s\n' "$*" >&2; }
BIN=/usr/bin/chromium

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || { say "chromium is not installed and apt-get is unavailable: install Debian's chromium package"; exit 1; }
if [ "$(id -u)" != 0 ]; then
  say "chromium is not installed and installing it needs root: run 'sudo apt-get install -y chromium'"
  exit 1
fi

# Two test runs may race here; apt's own lock serialises them, the wait bounds it.
export DEBIAN_FRONTEND=noninteractive
say "installing chromium from Debian's packages"
if ! apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium >/dev/null 2>&1; then
  apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null 2>&1 || true
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium >/dev/null || { say "apt-get install chromium failed"; exit 1; }
fi
[ -x "$BIN" ] || { say "chromium still missing at $BIN after installing it"; exit 1; }
echo "$BIN"
