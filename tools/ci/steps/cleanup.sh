#!/usr/bin/env bash
# cleanup: logs out of the registry push-images logged in to and removes the
# images built for IMAGE_TAG, so a shared agent keeps neither a registry token
# nor gigabytes of images. Safe to run when earlier steps never ran.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_parse_common_args "$@"
engine="$(ci_container_engine)"
# Runs after failures too, even before checkout completed: no tag means nothing was built.
if [[ -z "${IMAGE_TAG:-}" ]] && ! git rev-parse --verify --quiet HEAD >/dev/null; then
  ci_log "no IMAGE_TAG and no commit checked out: nothing was built"
  exit 0
fi
tag="$(ci_image_tag)"

if ! command -v "$engine" >/dev/null 2>&1; then
  ci_log "no $engine here: no images or registry login to clean up"
  exit 0
fi

registry=""
registry_record="$CI_STATE_DIR/ecr-registry"
if [[ -f "$registry_record" ]]; then
  read -r registry <"$registry_record" || true
fi
if [[ -n "$registry" ]]; then
  ci_run "$engine" logout "$registry"
fi

for project in "${CI_IMAGE_PROJECTS[@]}"; do
  repository="${CI_IMAGE_REPOSITORIES[$project]}"
  images=("$repository:$tag")
  if [[ -n "$registry" ]]; then
    images+=("$registry/$repository:$tag")
  fi
  for image in "${images[@]}"; do
    if "$engine" image inspect "$image" >/dev/null 2>&1; then
      ci_run "$engine" image rm "$image"
    fi
  done
done
