#!/usr/bin/env bash
# Install the Debian packages given as arguments when they are missing.
# As root with apt-get: installs them. Otherwise: says exactly what to install,
# and fails when STRICT=1 (make test), or warns (make run: the app runs, PDFs need them).
set -euo pipefail
missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing Debian packages: ${missing[*]}" >&2
echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
if [[ ${STRICT:-0} == 1 ]]; then exit 1; fi
echo "(continuing: certificates and PDF reports need them)" >&2
