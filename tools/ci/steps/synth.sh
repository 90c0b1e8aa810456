#!/usr/bin/env bash
# synth: every stage's CloudFormation through `nx synth infra`, where cdk-nag
# runs as a validation plugin (an unacknowledged finding fails synth), then
# cfn-lint over those templates and the raw CloudFormation template.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_parse_common_args "$@"

RAW_TEMPLATE=libs/infra/cloudformation/fargate-service.yaml
# The warnings libs/infra/test/cfn-lint.spec.ts accepts, for the reasons given there.
ACCEPTED_WARNINGS=(W3005 W3010)

for stage in "${CI_STAGES[@]}"; do
  ci_run npx nx synth infra --configuration="$stage" --output-style=static
done

command -v cfn-lint >/dev/null 2>&1 ||
  ci_die "cfn-lint is not on PATH (install it with: pipx install cfn-lint==1.51.0)"

templates=()
for stage in "${CI_STAGES[@]}"; do
  if [[ "$CI_DRY_RUN" == true ]]; then
    # Not synthesized yet: show the pattern the shell would expand.
    templates+=("libs/infra/cdk.out/$stage/*.template.json")
  else
    stage_templates=(libs/infra/cdk.out/"$stage"/*.template.json)
    [[ -f "${stage_templates[0]}" ]] || ci_die "synth wrote no templates to libs/infra/cdk.out/$stage"
    templates+=("${stage_templates[@]}")
  fi
done
ci_run cfn-lint --non-zero-exit-code warning --ignore-checks "${ACCEPTED_WARNINGS[@]}" \
  -- "${templates[@]}" "$RAW_TEMPLATE"
