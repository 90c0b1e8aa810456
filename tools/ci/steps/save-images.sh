#!/usr/bin/env bash
# save-images: writes both images built for IMAGE_TAG to one archive, which
# the job that pushes them loads. GitHub's deploy.yml builds and scans in a job
# that cannot assume any AWS role, since it runs third-party code (the
# dependencies' code in the tests and the build, trivy), and pushes from a job
# that runs none (docs/pipelines.md, Access to AWS without stored keys).
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step save-images [--dry-run]
  IMAGE_TAG       tag of the images to save (default: git SHA of HEAD)
  IMAGE_ARCHIVE   the archive to write (default: dist/ci/images.tar)"

ci_parse_common_args "$@"
tag="$(ci_image_tag)"
engine="$(ci_container_engine)"
archive="${IMAGE_ARCHIVE:-$CI_STATE_DIR/images.tar}"

images=()
for project in "${CI_IMAGE_PROJECTS[@]}"; do
  images+=("${CI_IMAGE_REPOSITORIES[$project]}:$tag")
done
ci_run mkdir -p "$(dirname "$archive")"
ci_run "$engine" save -o "$archive" "${images[@]}"
