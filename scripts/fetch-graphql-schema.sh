#!/usr/bin/env bash
# Fetch GitHub's public GraphQL schema (npm package @octokit/graphql-schema, MIT)
# into .cache/graphql-schema/schema.graphql, so tests can validate every query
# Sovereign sends with graphql-core. Tests skip (saying why) when it is absent.
# Usage: scripts/fetch-graphql-schema.sh [version]   (needs npm; idempotent)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${root}/.cache/graphql-schema"
version="${1:-15.26.1}"
if [[ -s "${dest}/schema.graphql" && -f "${dest}/VERSION" && "$(cat "${dest}/VERSION")" == "${version}" ]]; then
  echo "graphql schema ${version} already in ${dest}"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
(cd "${work}" && npm pack --silent "@octokit/graphql-schema@${version}" >/dev/null)
tar -xzf "${work}"/octokit-graphql-schema-*.tgz -C "${work}" package/schema.graphql
mkdir -p "${dest}"
printf '*\n' >"${root}/.cache/.gitignore"  # a cache, never committed
mv "${work}/package/schema.graphql" "${dest}/schema.graphql"
echo "${version}" >"${dest}/VERSION"
echo "graphql schema ${version} written to ${dest}/schema.graphql"
