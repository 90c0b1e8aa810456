#!/usr/bin/env bash
# wait-stable: blocks until every ECS service of the stage runs one deployment
# with its desired count (the AWS CLI waiter polls every 15 s and gives up with
# exit 255 after 40 polls, i.e. 10 minutes). After a deploy that deployed
# nothing (the stage runs a later commit) it waits for nothing: the services
# are that later commit's run's to watch, and its failure is not this run's.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step wait-stable [--dry-run]
  STAGE  dev, staging, prod or dr"

ci_parse_common_args "$@"
stage="$(ci_stage)"
if ci_deploy_was_skipped "$stage" "wait for"; then
  exit 0
fi

ci_run aws ecs wait services-stable --region "$(ci_stage_region "$stage")" \
  --cluster "$(ci_stage_cluster "$stage")" --services "${CI_SERVICES[@]}"
ci_report "${CI_SERVICES[*]} are stable in $stage"
