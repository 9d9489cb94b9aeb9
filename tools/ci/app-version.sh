#!/bin/sh
# Prints the version of an app (the "version" of apps/<app>/package.json), the image's version tag.
# POSIX sh + sed only: it runs in the busybox of the Kaniko debug image.
#   tools/ci/app-version.sh arango-candles   ->   0.1.0
set -eu
file="apps/${1:?usage: app-version.sh <app>}/package.json"
[ -f "$file" ] || { echo "no $file" >&2; exit 1; }
version=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$file" | head -n 1)
[ -n "$version" ] || { echo "no \"version\" in $file" >&2; exit 1; }
echo "$version"
