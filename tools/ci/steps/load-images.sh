#!/usr/bin/env bash
# load-images: loads the archive save-images wrote, then checks each image is
# there under IMAGE_TAG, as build-images does, for push-images to push.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step load-images [--dry-run]
  IMAGE_TAG       tag of the images to load (default: git SHA of HEAD)
  IMAGE_ARCHIVE   the archive save-images wrote (default: dist/ci/images.tar)"

ci_parse_common_args "$@"
tag="$(ci_image_tag)"
engine="$(ci_container_engine)"
archive="${IMAGE_ARCHIVE:-$CI_STATE_DIR/images.tar}"

[[ "$CI_DRY_RUN" == true || -f "$archive" ]] ||
  ci_die "no image archive at $archive: save-images writes it after build-images"
ci_run "$engine" load -i "$archive"
for project in "${CI_IMAGE_PROJECTS[@]}"; do
  ci_run "$engine" image inspect --format '{{.Id}}' "${CI_IMAGE_REPOSITORIES[$project]}:$tag"
done
