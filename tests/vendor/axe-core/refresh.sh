#!/usr/bin/env bash
# Refreshes the vendored axe-core script from npm: ./tests/vendor/axe-core/refresh.sh [version]
# Needs npm only here, never at test time. Writes axe.min.js, LICENSE and VERSION beside this script.
set -euo pipefail
cd "$(dirname "$0")"
version=${1:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf axe-core-*.tgz)
cp "$work/package/axe.min.js" "$work/package/LICENSE" .
node -e 'const p=require(process.argv[1]); console.log(p.version + " " + p.license)' "$work/package/package.json" > VERSION
sha256sum axe.min.js >> VERSION
cat VERSION
