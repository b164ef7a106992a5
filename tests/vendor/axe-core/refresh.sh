#!/usr/bin/env bash
# Refreshes the vendored axe-core (used by the browser tests only) from the
# npm registry: `tests/vendor/axe-core/refresh.sh [version]` (default: the
# newest 4.x). Writes axe.min.js, LICENSE and VERSION here.
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-4}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "axe-core@${version}" >/dev/null && tar xzf axe-core-*.tgz)
cp "$work/package/axe.min.js" "$work/package/LICENSE" .
node -p "require('$work/package/package.json').version" > VERSION
echo "axe-core $(cat VERSION)"
