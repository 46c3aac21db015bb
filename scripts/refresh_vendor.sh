#!/usr/bin/env bash
# Refreshes the front-end files served from static/vendor/ (never from a CDN: government
# intranets are often offline). Versions are pinned here and recorded in static/vendor/VERSIONS.
# htmx is not copied: django-htmx ships it ({% htmx_script %}).
set -euo pipefail
BOOTSTRAP=5.3.9
ICONS=1.13.2
ECHARTS=6.1.0
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for pkg in "bootstrap@$BOOTSTRAP" "bootstrap-icons@$ICONS" "echarts@$ECHARTS"; do
  npm pack --silent "$pkg" >/dev/null
done
for t in *.tgz; do mkdir -p "${t%.tgz}" && tar -xzf "$t" -C "${t%.tgz}"; done
rm -rf "$dest/bootstrap" "$dest/bootstrap-icons" "$dest/echarts"
mkdir -p "$dest/bootstrap/css" "$dest/bootstrap/js" "$dest/bootstrap-icons/font/fonts" "$dest/echarts"
cp bootstrap-$BOOTSTRAP/package/dist/css/bootstrap.min.css{,.map} "$dest/bootstrap/css/"
cp bootstrap-$BOOTSTRAP/package/dist/js/bootstrap.bundle.min.js{,.map} "$dest/bootstrap/js/"
cp bootstrap-icons-$ICONS/package/font/bootstrap-icons.min.css "$dest/bootstrap-icons/font/"
cp bootstrap-icons-$ICONS/package/font/fonts/bootstrap-icons.woff{,2} "$dest/bootstrap-icons/font/fonts/"
cp echarts-$ECHARTS/package/dist/echarts.min.js "$dest/echarts/"
cp bootstrap-$BOOTSTRAP/package/LICENSE "$dest/bootstrap/LICENSE"
cp bootstrap-icons-$ICONS/package/LICENSE "$dest/bootstrap-icons/LICENSE"
cp echarts-$ECHARTS/package/LICENSE "$dest/echarts/LICENSE"
cat > "$dest/VERSIONS" <<V
# Copied by scripts/refresh_vendor.sh from the npm registry; do not edit by hand.
bootstrap $BOOTSTRAP (css/bootstrap.min.css + .map, js/bootstrap.bundle.min.js + .map)
bootstrap-icons $ICONS (font/bootstrap-icons.min.css, fonts/*.woff*)
echarts $ECHARTS (echarts.min.js; the npm package ships no .map for the minified build)
htmx: shipped by django-htmx, see pyproject.toml
V
echo "vendor files refreshed in $dest"
