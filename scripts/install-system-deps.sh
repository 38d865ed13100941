#!/usr/bin/env bash
# Installs the Debian packages the project needs, when they are missing (recipes: ../shared/STACK.md).
# As root it installs them; otherwise it prints the exact command to run and fails.
set -euo pipefail
PACKAGES=(chromium tesseract-ocr tesseract-ocr-eng ffmpeg redis-server cron fonts-dejavu-core curl)

if ! command -v dpkg >/dev/null 2>&1; then
  echo "This is not a Debian-like system: install ${PACKAGES[*]} with your package manager." >&2
  exit 1
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run this as root, then run make again:" >&2
  echo "  sudo sh -c 'apt-get update && apt-get install -y ${missing[*]}'" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
