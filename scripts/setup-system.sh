#!/usr/bin/env bash
# The one set-up home for system packages (scripts/system-packages.txt). `npm test` runs it first.
# As root it installs whatever is missing with apt-get; as anyone else it stops and prints the one
# command to run. Quiet and quick (a file test per package) when everything is present.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
while read -r pkg probe _; do
  case "$pkg" in '' | '#'*) continue ;; esac
  [ -e "$probe" ] || missing+=("$pkg")
done <"$here/system-packages.txt"
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run this once, then the test command again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
