#!/usr/bin/env bash
# Refresh chalicelib/data/areas/areas.json from the npm package @vant/area-data (MIT).
# Needs npm and node; run from the repository root, then commit the result.
set -euo pipefail
VERSION="${1:-2.1.0}"
OUT=chalicelib/data/areas
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "@vant/area-data@$VERSION" >/dev/null && tar xzf ./*.tgz)
node -e '
const { areaList } = require(process.argv[1] + "/package/dist/index.cjs");
const out = { province: areaList.province_list, city: areaList.city_list, county: areaList.county_list };
require("fs").writeFileSync(process.argv[2], JSON.stringify(out));
' "$TMP" "$OUT/areas.json"
cp "$TMP/package/LICENSE" "$OUT/LICENSE"
echo "areas.json from @vant/area-data@$VERSION"
