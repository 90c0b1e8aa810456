#!/usr/bin/env bash
# rollback: redeploys the tag the deploy step recorded as running before it
# deployed, through the same deploy step, then waits for the services to be
# stable. Pipelines call it when anything after deploy fails. When the
# services run that tag again already (CloudFormation rolled a failed deploy
# back), it only waits for them to be stable. After a deploy
# that deployed nothing (the stage runs a later commit) it changes nothing:
# redeploying the recorded tag would put the later commit's image back with
# this checkout's older infrastructure code.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"
# shellcheck source=../lib/running-tag.sh
source "$CI_ROOT/tools/ci/lib/running-tag.sh"

ci_usage "usage: tools/ci/run-step rollback [--dry-run]
  STAGE                         dev, staging, prod or dr (the stage deploy ran for)
  ROLLBACK_SETTLE_SECONDS       longest wait for the stage's stacks to settle first (1800)
  ROLLBACK_SETTLE_INTERVAL_SECONDS  between two looks at a stack (15)"

ci_parse_common_args "$@"
pass_through=()
if [[ "$CI_DRY_RUN" == true ]]; then
  pass_through+=(--dry-run)
fi
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

# A deploy cut off by its time limit leaves CloudFormation updating one of
# the stage's stacks (deploy updates them in turn), and it refuses another
# update until that settles (completes, or rolls itself back): wait for each,
# within the step's own limit.
settle_seconds="${ROLLBACK_SETTLE_SECONDS:-1800}"
settle_interval="${ROLLBACK_SETTLE_INTERVAL_SECONDS:-15}"
[[ "$settle_seconds" =~ ^[0-9]+$ && "$settle_interval" =~ ^[0-9]+$ ]] ||
  ci_usage_error "ROLLBACK_SETTLE_SECONDS and ROLLBACK_SETTLE_INTERVAL_SECONDS must be whole seconds"
settle_deadline=$((SECONDS + settle_seconds))
mapfile -t stacks < <(ci_stage_stacks "$stage")
for stack in "${stacks[@]}"; do
  while :; do
    status=""
    ci_capture status "<status of $stack>" aws cloudformation describe-stacks \
      --region "$(ci_stage_region "$stage")" --stack-name "$stack" \
      --query 'Stacks[0].StackStatus' --output text
    [[ "$status" == *_IN_PROGRESS ]] || break
    ((SECONDS < settle_deadline)) ||
      ci_die "$stack is still $status after ${settle_seconds}s: roll back once it has settled"
    ci_log "$stack is $status: waiting for it to settle before rolling back"
    sleep "$settle_interval"
  done
done

# A deploy that failed in CloudFormation was rolled back by it: the services
# run the recorded tag again, each stack on its last good template.
# Redeploying that tag from this checkout would push this commit's templates
# once more, the change that just failed, beside the older images.
running_tag=""
ci_read_running_tag "$stage"
if [[ "$running_tag" == "$previous" ]]; then
  ci_log "$stage runs $previous again, as CloudFormation rolled the deploy back: nothing to redeploy"
  bash "$CI_STEPS_DIR/wait-stable.sh" "${pass_through[@]}"
  ci_report "$stage runs $previous again"
  exit 0
fi

ci_log "rolling $stage back to $previous, the tag it ran before this deploy"
IMAGE_TAG="$previous" bash "$CI_STEPS_DIR/deploy.sh" --skip-record "${pass_through[@]}"
bash "$CI_STEPS_DIR/wait-stable.sh" "${pass_through[@]}"
ci_report "$stage runs $previous again"
