#!/usr/bin/env bash
# Refreshes the vendored Leaflet in static/vendor/leaflet/ from the npm registry (no CDN at run time).
# Usage: bash .ci/update-leaflet.sh [VERSION]   (default: the version below)
set -euo pipefail
VERSION="${1:-1.9.4}"
cd "$(dirname "$0")/.."
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "leaflet@${VERSION}" >/dev/null && tar xzf "leaflet-${VERSION}.tgz")
TARGET=static/vendor/leaflet
rm -rf "$TARGET" && mkdir -p "$TARGET"
cp "$WORK/package/dist/leaflet.js" "$WORK/package/dist/leaflet.css" "$WORK/package/LICENSE" "$TARGET/"
cp -r "$WORK/package/dist/images" "$TARGET/"
echo "$VERSION" > "$TARGET/VERSION"
echo "Leaflet $VERSION copied to $TARGET"
