#!/usr/bin/env bash
# push-images: logs in to ECR and pushes both images under IMAGE_TAG. The
# repositories must keep tags immutable, so a deployed tag always names the
# same image; an image already in ECR under the tag is left as it is, so a
# re-run for the same commit does not trip over the immutable tag.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"

ci_usage "usage: tools/ci/run-step push-images [--dry-run]
  IMAGE_TAG       tag to push (default: git SHA of HEAD)
  AWS_ACCOUNT_ID  registry account (default: the caller's, from sts get-caller-identity)"

ci_parse_common_args "$@"
tag="$(ci_image_tag)"
engine="$(ci_container_engine)"
region="$CI_IMAGE_REGISTRY_REGION"

account="${AWS_ACCOUNT_ID:-}"
if [[ -z "$account" ]]; then
  ci_capture account '<account id>' aws sts get-caller-identity --query Account --output text
fi
registry="$account.dkr.ecr.$region.amazonaws.com"

ci_run_piped aws ecr get-login-password --region "$region" \
  '|' "$engine" login --username AWS --password-stdin "$registry"
# The cleanup step logs out of this registry, so no token outlives the job on a shared agent.
ci_write_state "$CI_STATE_DIR/ecr-registry" "$registry"

for project in "${CI_IMAGE_PROJECTS[@]}"; do
  repository="${CI_IMAGE_REPOSITORIES[$project]}"
  mutability=""
  pushed_digest=""
  # A fresh account has no repositories until the Registry stack is deployed:
  # say so, instead of failing on AWS's RepositoryNotFoundException.
  ci_capture mutability IMMUTABLE aws ecr describe-repositories --region "$region" \
    --repository-names "$repository" --query 'repositories[0].imageTagMutability' --output text ||
    ci_die "cannot read the repository $repository in $region: if this account has none yet, deploy them once with npx nx run infra:deploy-registry (libs/infra/README.md, First deploy)"
  [[ "$mutability" == IMMUTABLE ]] ||
    ci_die "$repository lets tags be overwritten ($mutability); deploys and rollbacks need immutable tags"

  ci_capture pushed_digest None aws ecr batch-get-image --region "$region" \
    --repository-name "$repository" --image-ids imageTag="$tag" \
    --query 'images[0].imageId.imageDigest' --output text
  if [[ -n "$pushed_digest" && "$pushed_digest" != None ]]; then
    ci_log "$repository:$tag is already in ECR ($pushed_digest); tags are immutable, so it is not pushed again"
    continue
  fi
  ci_run "$engine" tag "$repository:$tag" "$registry/$repository:$tag"
  ci_run "$engine" push "$registry/$repository:$tag"
done
