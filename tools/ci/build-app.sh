#!/bin/sh
# Builds what the image of one app ships, dist/apps/<app>/ (the Dockerfile runs this, and so does
# tools/deploy-tests' image-bundle test, so the test exercises the image's own build).
set -eu
app="${1:?usage: sh tools/ci/build-app.sh <app>}"
npx nx build "$app" --skip-nx-cache --output-style=static
# dummy-service's image also carries debug-producer (node debug-producer.js ...), so a running
# dummy-service Job can be pinged from inside the cluster with the same Kafka settings.
if [ "$app" = dummy-service ]; then
  npx nx build debug-producer --skip-nx-cache --output-style=static
  cp dist/tools/debug-producer/main.js dist/apps/dummy-service/debug-producer.js
  cp dist/tools/debug-producer/main.js.map dist/apps/dummy-service/debug-producer.js.map
fi
