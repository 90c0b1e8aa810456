#!/usr/bin/env bash
# rollback: redeploys the tag the deploy step recorded as running before it
# deployed, through the same deploy step, then waits for the services to be
# stable. Pipelines call it when anything after deploy fails. After a deploy
# that deployed nothing (the stage runs a later commit) it changes nothing:
# redeploying the recorded tag would put the later commit's image back with
# this checkout's older infrastructure code.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step rollback [--dry-run]
  STAGE  dev, staging, prod or dr (the stage deploy ran for)"

ci_parse_common_args "$@"
stage="$(ci_stage)"
if ci_deploy_was_skipped "$stage" "roll back"; then
  exit 0
fi
record="$(ci_previous_tag_file "$stage")"

previous=""
if [[ -f "$record" ]]; then
  read -r previous <"$record" || true
elif [[ "$CI_DRY_RUN" == true ]]; then
  previous="<tag recorded in $record>"
else
  ci_die "no $record: deploy writes it before it deploys, so rollback must run after deploy in the same workspace"
fi
[[ -n "$previous" ]] ||
  ci_die "nothing to roll back to: nothing ran in $stage before this deploy; fix forward or destroy the stage's stacks"

ci_log "rolling $stage back to $previous, the tag it ran before this deploy"
pass_through=()
if [[ "$CI_DRY_RUN" == true ]]; then
  pass_through+=(--dry-run)
fi
IMAGE_TAG="$previous" bash "$CI_STEPS_DIR/deploy.sh" --skip-record "${pass_through[@]}"
bash "$CI_STEPS_DIR/wait-stable.sh" "${pass_through[@]}"
ci_report "$stage runs $previous again"
