#!/usr/bin/env bash
# Sourced by steps (after common.sh and stage-facts.sh): marks the images a
# stage runs, once verified, so ECR keeps them.

# Adds the tag deployed-<stage>-<tag> to both images. The repositories'
# lifecycle policy keeps the last images each stage was verified on
# (libs/infra/src/registry/image-repositories.ts), whatever is pushed
# meanwhile, so a stage's tasks can always pull the image they run and
# rollback the one before. Only verified images: a deploy that failed or was
# rolled back must not take a place among them, for ECR counts them by push
# time and would expire the image the stage went back to. DR runs the
# replicas in its own region, where nothing expires, and must not depend on
# us-east-1 (it is deployed when us-east-1 is down): it tags nothing. Tags
# are immutable: one already there (a redeploy) is left as it is.
ci_mark_deployed_images() {
  local stage="$1" tag="$2"
  if [[ "$stage" == dr ]]; then
    ci_log "dr runs its region's replicas, which nothing expires: no image is tagged"
    return 0
  fi
  local registry_region="$CI_IMAGE_REGISTRY_REGION" marked_tag="deployed-$stage-$tag"
  local project repository marked_digest media_type manifest
  for project in "${CI_IMAGE_PROJECTS[@]}"; do
    repository="${CI_IMAGE_REPOSITORIES[$project]}"
    ci_capture marked_digest None aws ecr batch-get-image --region "$registry_region" \
      --repository-name "$repository" --image-ids imageTag="$marked_tag" \
      --query 'images[0].imageId.imageDigest' --output text
    if [[ -n "$marked_digest" && "$marked_digest" != None ]]; then
      ci_log "$repository:$marked_tag is already in ECR"
      continue
    fi
    ci_capture media_type '<media type>' aws ecr batch-get-image --region "$registry_region" \
      --repository-name "$repository" --image-ids imageTag="$tag" \
      --query 'images[0].imageManifestMediaType' --output text
    [[ -n "$media_type" && "$media_type" != None ]] ||
      ci_die "$repository:$tag is not in ECR, although $stage was verified on it"
    ci_capture manifest '<manifest>' aws ecr batch-get-image --region "$registry_region" \
      --repository-name "$repository" --image-ids imageTag="$tag" \
      --query 'images[0].imageManifest' --output text
    ci_run aws ecr put-image --region "$registry_region" --repository-name "$repository" \
      --image-tag "$marked_tag" --image-manifest "$manifest" --image-manifest-media-type "$media_type" \
      --query 'image.imageId.imageTag' --output text
  done
}
