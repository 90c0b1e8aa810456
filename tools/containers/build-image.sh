#!/usr/bin/env bash
# Builds one service image from docker/<app>.Dockerfile: stages the bundle and
# production dependencies, then runs the container engine (container-engine.sh). Tags <repository>:<IMAGE_TAG>, or, when IMAGE_TAG is unset,
# <repository>:<git SHA> and <repository>:local (the tag docker/docker-compose.yml
# uses unless IMAGE_TAG is set).
#   NODE_IMAGE             base image for both stages (default: the Dockerfile's)
#   CONTAINER_ENGINE       podman or docker (default: docker when its engine answers, else podman)
#   EXTRA_BUILD_OPTIONS    more options for the engine's build, space-separated
set -euo pipefail

app="${1:?usage: build-image.sh <app> <repository>}"
repository="${2:?usage: build-image.sh <app> <repository>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# shellcheck source=tools/containers/container-engine.sh
source "$root/tools/containers/container-engine.sh"
engine="$(container_engine)"
tags=()
if [[ -n "${IMAGE_TAG:-}" ]]; then
  tags=("$IMAGE_TAG")
else
  tags=("$(git -C "$root" rev-parse HEAD)" local)
fi
read -r -a extra_options <<<"${EXTRA_BUILD_OPTIONS:-}"

bash "$root/tools/containers/stage-image-context.sh" "$app"

args=(build --file "$root/docker/$app.Dockerfile")
for tag in "${tags[@]}"; do args+=(--tag "$repository:$tag"); done
if [[ -n "${NODE_IMAGE:-}" ]]; then args+=(--build-arg "NODE_IMAGE=$NODE_IMAGE"); fi
# podman writes OCI images by default, and the OCI format has no HEALTHCHECK.
if [[ "$engine" == podman ]]; then args+=(--format docker); fi
args+=("${extra_options[@]}")

"$engine" "${args[@]}" "$root"
echo "build-image: built $repository:${tags[0]}"
