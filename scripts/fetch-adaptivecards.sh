#!/usr/bin/env bash
# Fetch Microsoft's Adaptive Cards parser (npm package adaptivecards, MIT; its
# self-contained dist/adaptivecards.js runs in Node without a DOM) and the
# Microsoft Teams host config (from adaptivecards-designer, MIT) into
# .cache/adaptivecards/, so tests can parse and validate every Teams card
# notify renders. Tests skip (saying why) when it is absent.
# Usage: scripts/fetch-adaptivecards.sh [version] [designer-version]   (needs npm; idempotent)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${root}/.cache/adaptivecards"
version="${1:-3.0.6}"
designer="${2:-2.4.4}"
want="adaptivecards@${version} adaptivecards-designer@${designer}"
if [[ -s "${dest}/adaptivecards.js" && -s "${dest}/microsoft-teams-light.json" && -f "${dest}/VERSION" &&
  "$(cat "${dest}/VERSION")" == "${want}" ]]; then
  echo "adaptivecards ${version} already in ${dest}"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
(cd "${work}" && npm pack --silent "adaptivecards@${version}" "adaptivecards-designer@${designer}" >/dev/null)
mkdir -p "${work}/parser" "${work}/designer"
tar -xzf "${work}/adaptivecards-${version}.tgz" -C "${work}/parser" package/dist/adaptivecards.js package/LICENSE
tar -xzf "${work}/adaptivecards-designer-${designer}.tgz" -C "${work}/designer" \
  package/lib/hostConfigs/microsoft-teams-light.json
mkdir -p "${dest}"
printf '*\n' >"${root}/.cache/.gitignore" # a cache, never committed
mv "${work}/parser/package/dist/adaptivecards.js" "${dest}/adaptivecards.js"
mv "${work}/parser/package/LICENSE" "${dest}/LICENSE"
mv "${work}/designer/package/lib/hostConfigs/microsoft-teams-light.json" "${dest}/microsoft-teams-light.json"
echo "${want}" >"${dest}/VERSION"
echo "adaptivecards ${version} (and the Teams host config of adaptivecards-designer ${designer}) written to ${dest}"
