#!/usr/bin/env bash
# diff: what a deploy of IMAGE_TAG to STAGE would change, through
# `nx diff infra --configuration=$STAGE` with the same IMAGE_TAG and the same
# HTTPS and provider variables deploy reads, so the reviewer approves the
# change deploy then applies (deploy runs cdk with --require-approval=never).
# The diff compares templates (--no-change-set), which needs only the stage's
# read-only bootstrap lookup role. Its output is kept in reports/diff/<stage>.txt
# for the pipeline to publish (Jenkins archives it; on GitHub the step also
# appends it to the job summary, $GITHUB_STEP_SUMMARY).
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step diff [--dry-run]
  STAGE                dev, staging, prod or dr
  IMAGE_TAG            tag the deploy will ship (default: git SHA of HEAD)
  GITHUB_STEP_SUMMARY  when set (GitHub Actions), the diff is appended to it
  and the stage's HTTPS and provider variables, as for deploy"

ci_parse_common_args "$@"
stage="$(ci_stage)"
tag="$(ci_image_tag)"
report="reports/diff/$stage.txt"
ci_infra_preflight diff "$stage" "$tag"

ci_log "changes a deploy of $tag to $stage would make"
ci_run mkdir -p "$(dirname "$report")"
# NO_COLOR keeps the archived report plain text.
ci_run_piped env IMAGE_TAG="$tag" NO_COLOR=1 npx nx diff infra --configuration="$stage" \
  --output-style=static -- --no-change-set '|' tee "$report"

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  if [[ "$CI_DRY_RUN" == true ]]; then
    ci_log "appends $report to the job summary, $GITHUB_STEP_SUMMARY"
  else
    {
      printf '### Infrastructure diff: %s to %s\n\n```\n' "$tag" "$stage"
      cat "$report"
      printf '```\n'
    } >>"$GITHUB_STEP_SUMMARY"
  fi
fi
ci_report "diff of $stage kept in $report"
