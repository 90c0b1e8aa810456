# shellcheck shell=bash
# shellcheck disable=SC2034 # the steps that source this file read these
# What the steps must know about a stage before its stacks can be read (the
# deploy step records the running tag before CDK writes any output). Mirrors
# libs/infra: settings/stage-settings.ts (regions), settings/stage-names.ts
# (cluster and stack names) and settings/platform-constants.ts (services,
# containers, repositories); tools/ci/test/stage-facts.spec.ts fails on drift.

CI_STAGES=(dev staging prod dr)

# Every ECS service of a stage, in the order the stacks create them.
CI_SERVICES=(chroma-service aiml-service backend-service)

# Services built from this workspace, with the container whose image tag says
# which commit is running; deploy records the first one's tag.
CI_TAGGED_SERVICES=(backend-service aiml-service)
declare -A CI_SERVICE_CONTAINERS=([backend-service]=backend [aiml-service]=aiml-gateway)

# Nx project of each image, and the ECR repository it is pushed to.
declare -A CI_IMAGE_REPOSITORIES=([backend]=docuthinker-backend [aiml-gateway]=docuthinker-ai-ml)
CI_IMAGE_PROJECTS=(backend aiml-gateway)

# Prod owns the repositories (dev and staging import them; DR reads replicas),
# so images are pushed to prod's region only.
CI_IMAGE_REGISTRY_REGION=us-east-1

# The images each of these stages keeps tagged deployed-<stage>-<tag>, the
# newest first; ECR keeps every image so tagged (libs/infra
# image-repositories.ts, DEPLOYED_IMAGES_KEPT and STAGES_KEEPING_IMAGES:
# prod alone, since tagging needs rights on the images prod runs).
CI_DEPLOYED_IMAGES_KEPT=5
CI_STAGES_KEEPING_IMAGES=(prod)

ci_is_stage() {
  local stage
  for stage in "${CI_STAGES[@]}"; do
    [[ "$1" == "$stage" ]] && return 0
  done
  return 1
}

# STAGE from the pipeline (the deploy target), validated.
ci_stage() {
  local stage="${STAGE:-}"
  [[ -n "$stage" ]] || ci_die "STAGE is not set: one of ${CI_STAGES[*]}"
  ci_is_stage "$stage" || ci_die "STAGE \"$stage\" is not one of ${CI_STAGES[*]}"
  printf '%s' "$stage"
}

ci_stage_region() {
  case "$1" in
    dev | staging | prod) printf 'us-east-1' ;;
    dr) printf 'us-west-2' ;;
    *) ci_die "no region for stage \"$1\"" ;;
  esac
}

# Prod and DR use the plain name; dev and staging share prod's account and region.
ci_stage_cluster() {
  case "$1" in
    prod | dr) printf 'docuthinker-cluster' ;;
    dev | staging) printf 'docuthinker-cluster-%s' "$1" ;;
    *) ci_die "no cluster for stage \"$1\"" ;;
  esac
}

ci_stage_platform_stack() {
  printf 'DocuThinker-%s-Platform' "$1"
}

# The stacks deploy updates for a stage (`cdk deploy --all`), one a line, in
# the order it updates them: the image repositories' where the stage owns
# them, then its network and platform (libs/infra stacks/build-stage.ts).
ci_stage_stacks() {
  if [[ "$1" == prod ]]; then
    printf 'DocuThinker-Registry\n'
  fi
  printf 'DocuThinker-%s-Network\n%s\n' "$1" "$(ci_stage_platform_stack "$1")"
}

# Where `nx deploy infra` (libs/infra/src/bin/cdk-stage.ts) writes the stack outputs.
ci_stage_outputs_file() {
  printf 'libs/infra/cdk.out/%s-outputs.json' "$1"
}

ci_previous_tag_file() {
  printf '%s/%s/previous-image-tag' "$CI_STATE_DIR" "$1"
}

ci_deployed_tag_file() {
  printf '%s/%s/deployed-image-tag' "$CI_STATE_DIR" "$1"
}

# Written by deploy when it deployed nothing because the stage already runs a
# later commit: the steps after it then have nothing of this run's to check or undo.
ci_skipped_deploy_file() {
  printf '%s/%s/deploy-skipped' "$CI_STATE_DIR" "$1"
}

# True (and says why) when this run's deploy of the stage was skipped; the
# step calling it then exits 0 without acting.
ci_deploy_was_skipped() {
  local marker reason=""
  marker="$(ci_skipped_deploy_file "$1")"
  [[ -f "$marker" ]] || return 1
  read -r reason <"$marker" || true
  ci_log "deploy deployed nothing to $1 in this run (${reason:-see $marker}): nothing to $2"
}
