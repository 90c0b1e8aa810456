#!/usr/bin/env bash
# scan-images: trivy over both images; any HIGH or CRITICAL vulnerability fails
# the step. Without trivy the step says so in one SKIPPED line, unless
# REQUIRE_TRIVY=true (the pipelines set it), which turns that into a failure.
# Trivy's own TRIVY_* variables (e.g. TRIVY_IGNORE_UNFIXED) apply as usual.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step scan-images [--dry-run]
  IMAGE_TAG      tag to scan (default: git SHA of HEAD)
  REQUIRE_TRIVY  true: fail instead of skipping when trivy is missing"

ci_parse_common_args "$@"
tag="$(ci_image_tag)"

if ! command -v trivy >/dev/null 2>&1; then
  if [[ "${REQUIRE_TRIVY:-false}" == true ]]; then
    ci_die "trivy is not on PATH and REQUIRE_TRIVY=true: the images cannot ship unscanned"
  fi
  echo "SKIPPED (trivy not installed): images $tag of ${CI_IMAGE_PROJECTS[*]} were not scanned for HIGH/CRITICAL vulnerabilities"
  exit 0
fi

# podman keeps images where trivy's default docker source does not look.
image_source="$(ci_container_engine)"
for project in "${CI_IMAGE_PROJECTS[@]}"; do
  ci_run trivy image --image-src "$image_source" --scanners vuln --severity HIGH,CRITICAL \
    --exit-code 1 --no-progress "${CI_IMAGE_REPOSITORIES[$project]}:$tag"
done
