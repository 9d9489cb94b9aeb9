#!/bin/sh
# nx affected -t <targets> between NX_BASE (tools/ci/nx-base.sh) and this commit; every project
# when there is no base to compare with (new branch, force push, first pipeline).
#   tools/ci/nx-affected.sh lint test build
set -eu
NX_BASE=$(sh "$(dirname "$0")/nx-base.sh")
NX_HEAD=${CI_COMMIT_SHA:-$(git rev-parse HEAD)}
targets=$(echo "$@" | tr ' ' ',')
if [ -n "$NX_BASE" ]; then
  echo "nx affected -t $targets --base=$NX_BASE --head=$NX_HEAD"
  exec npx nx affected -t "$@" --base="$NX_BASE" --head="$NX_HEAD" --output-style=static
fi
echo "no base commit to compare with: running $targets for every project"
exec npx nx run-many -t "$@" --output-style=static
