#!/usr/bin/env bash
# deploy: records the image tag the stage runs now (what rollback redeploys),
# then `nx deploy infra --configuration=$STAGE` with IMAGE_TAG, which runs cdk
# deploy for the stage's stacks and writes their outputs for the smoke step.
# It deploys nothing when the stage already runs a later commit (see
# stage_runs_a_later_commit), and says so in ci_skipped_deploy_file for the
# steps after it. --skip-record is rollback's: it must not
# overwrite the tag it restores, and it may go back to an earlier commit.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"
# shellcheck source=../lib/running-tag.sh
source "$CI_ROOT/tools/ci/lib/running-tag.sh"

ci_usage "usage: tools/ci/run-step deploy [--skip-record] [--dry-run]
  STAGE      dev, staging, prod or dr
  IMAGE_TAG  tag to deploy (default: git SHA of HEAD)
  CI_GIT_DIR repository whose history orders the tags (default: this checkout)"

record=true
while (($#)); do
  if ci_common_option "$1"; then
    shift
    continue
  fi
  case "$1" in
    --skip-record) record=false ;;
    *) ci_usage_error "unknown argument: $1" ;;
  esac
  shift
done

stage="$(ci_stage)"
tag="$(ci_image_tag)"
ci_infra_preflight deploy "$stage" "$tag"
# What smoke tags as the stage's: only ever this run's deploy, once it succeeded.
# Nor does an earlier skip in this workspace stand for this deploy.
[[ "$CI_DRY_RUN" == true ]] ||
  rm -f "$(ci_deployed_tag_file "$stage")" "$(ci_skipped_deploy_file "$stage")"
record_running_tag() {
  ci_read_running_tag "$stage"
  if [[ -z "$running_tag" ]]; then
    ci_log "nothing runs in $stage yet: a failed deploy has nothing to roll back to"
  else
    ci_log "$stage runs $running_tag now; rollback redeploys it"
  fi
  ci_write_state "$(ci_previous_tag_file "$stage")" "$running_tag"
  recorded_tag="$running_tag"
}

# True when the stage already runs a later commit than the one to deploy:
# deploys can finish out of order (GitHub starts one per CI run, in the order
# the runs end), and an older commit must not replace a newer one. Unknown
# when either commit is not in the checkout: then the deploy goes ahead.
stage_runs_a_later_commit() {
  local running="$1" repository="${CI_GIT_DIR:-$CI_ROOT}"
  [[ -n "$running" && "$running" != "$tag" ]] || return 1
  git -C "$repository" cat-file -e "$running^{commit}" 2>/dev/null || return 1
  git -C "$repository" cat-file -e "$tag^{commit}" 2>/dev/null || return 1
  git -C "$repository" merge-base --is-ancestor "$tag" "$running"
}

if [[ "$record" == true ]]; then
  recorded_tag=""
  record_running_tag
  if [[ "$CI_DRY_RUN" == false ]] && stage_runs_a_later_commit "$recorded_tag"; then
    ci_log "not deploying $tag: $stage already runs $recorded_tag, a later commit that contains it"
    # This run wrote no stack outputs: smoke, wait-stable and rollback read
    # this and stand down, rather than fail and roll back the later commit.
    ci_write_state "$(ci_skipped_deploy_file "$stage")" "$stage already runs $recorded_tag, a later commit than $tag"
    exit 0
  fi
fi
ci_log "deploying $tag to $stage"
# No TTY in a pipeline: cdk must not wait for a confirmation of IAM changes.
ci_run env IMAGE_TAG="$tag" npx nx deploy infra --configuration="$stage" --output-style=static \
  -- --require-approval=never
ci_write_state "$(ci_deployed_tag_file "$stage")" "$tag"
