#!/usr/bin/env bash
# Stages dist/docker/<app>: the Nx bundle (main.js), its generated package.json
# and lockfile, and the production node_modules installed for linux/x64/glibc.
# The Dockerfiles copy this directory; docker/backend.Dockerfile explains why
# dependencies are installed here rather than in a build stage.
set -euo pipefail

app="${1:?usage: stage-image-context.sh <backend|aiml-gateway>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bundle="$root/dist/apps/$app"
stage="$root/dist/docker/$app"

for file in main.js package.json package-lock.json; do
  if [[ ! -f "$bundle/$file" ]]; then
    echo "stage-image-context: $bundle/$file is missing; run 'npx nx build $app' first" >&2
    exit 1
  fi
done

rm -rf "$stage"
mkdir -p "$stage"
# Every entry bundle nx built (main.js and the worker and CLI bundles main.js
# starts from its own directory, e.g. the backend's extraction-worker.js), no maps.
cp "$bundle"/*.js "$bundle/package.json" "$bundle/package-lock.json" "$stage/"
node "$root/tools/containers/drop-chroma-server-bindings.mjs" "$stage/package-lock.json"

# --os/--cpu/--libc pick the prebuilt native packages (libsql and friends) for
# the image's platform whatever the host is; --prefer-offline reuses the npm
# cache the workspace's own `npm ci` filled; --ignore-scripts keeps install-time
# telemetry and compilers out of the image.
(
  cd "$stage"
  npm ci --omit=dev --ignore-scripts --prefer-offline --os=linux --cpu=x64 --libc=glibc \
    --no-audit --no-fund --loglevel=error
)

# Only the packages the bundle requires at run time stay: its esbuild externals
# and what they depend on. Same platform flags, so the prebuilt addons stay.
node "$root/tools/containers/keep-external-dependencies.mjs" "$stage/package.json" "$root/apps/$app/project.json"
(
  cd "$stage"
  npm prune --omit=dev --ignore-scripts --prefer-offline --os=linux --cpu=x64 --libc=glibc \
    --no-audit --no-fund --loglevel=error
)

# npm cannot tell musl builds apart when a package does not declare its libc,
# and a musl addon never loads on the glibc base: leave them out.
find "$stage/node_modules" -mindepth 1 -maxdepth 2 -type d -name '*-musl' -exec rm -rf {} +

# Type declarations, TypeScript sources and source maps are never loaded at run
# time; licences and everything else stay.
find "$stage/node_modules" -type f \( -name '*.ts' -o -name '*.cts' -o -name '*.mts' -o -name '*.map' \) -delete

echo "stage-image-context: $app staged in dist/docker/$app ($(du -sh --apparent-size "$stage" | cut -f1))"
