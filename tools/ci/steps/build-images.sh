#!/usr/bin/env bash
# build-images: the service images through each app's `docker-build` Nx target
# (docker/<app>.Dockerfile), tagged <ecr repository>:<IMAGE_TAG or git SHA>,
# then checks each image exists under that tag, which scan and push rely on.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step build-images [--project backend|aiml-gateway] [--dry-run]
  IMAGE_TAG         tag to build (default: git SHA of HEAD)
  CONTAINER_ENGINE  podman or docker (default: docker when its engine answers, else podman)"

projects=()
while (($#)); do
  if ci_common_option "$1"; then
    shift
    continue
  fi
  case "$1" in
    --project)
      (($# >= 2)) || ci_usage_error "--project needs a value"
      projects+=("$2")
      shift 2
      ;;
    --project=*)
      projects+=("${1#*=}")
      shift
      ;;
    *) ci_usage_error "unknown argument: $1" ;;
  esac
done
((${#projects[@]} > 0)) || projects=("${CI_IMAGE_PROJECTS[@]}")
for project in "${projects[@]}"; do
  [[ -n "${CI_IMAGE_REPOSITORIES[$project]:-}" ]] ||
    ci_usage_error "no image for project \"$project\" (expected ${CI_IMAGE_PROJECTS[*]})"
done

tag="$(ci_image_tag)"
engine="$(ci_container_engine)"
project_list="$(
  IFS=,
  printf '%s' "${projects[*]}"
)"

# --pull: the base image's tag (NODE_IMAGE) is rebuilt upstream with Debian's
# security fixes; an agent's cached copy of it would ship without them.
ci_run env IMAGE_TAG="$tag" CONTAINER_ENGINE="$engine" \
  EXTRA_BUILD_OPTIONS="--pull${EXTRA_BUILD_OPTIONS:+ $EXTRA_BUILD_OPTIONS}" \
  npx nx run-many -t docker-build --projects="$project_list" --output-style=static
for project in "${projects[@]}"; do
  ci_run "$engine" image inspect --format '{{.Id}}' "${CI_IMAGE_REPOSITORIES[$project]}:$tag"
done
