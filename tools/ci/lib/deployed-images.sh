#!/usr/bin/env bash
# Sourced by steps (after common.sh and stage-facts.sh): marks the images a
# stage runs, once verified, so ECR keeps them.

# Adds the tag deployed-<stage>-<tag> to both images, and takes the stage's
# tag off its images older than the last CI_DEPLOYED_IMAGES_KEPT. ECR keeps
# every image with a deployed- tag (libs/infra/src/registry/image-repositories.ts),
# so a stage's tasks can always pull the image they run and rollback the
# ones before, whatever is pushed meanwhile; an image no stage keeps falls
# back to the count of all images. Only verified images: a deploy that
# failed or was rolled back must not take a place among a stage's last ones.
# Prod alone tags (CI_STAGES_KEEPING_IMAGES): dev and staging run one of the
# last images pushed, and their roles hold no rights on the images prod runs.
# DR runs its region's replicas, which nothing expires, and must not depend
# on us-east-1 (it is deployed when us-east-1 is down): it tags nothing. Tags
# are immutable: one already there (a redeploy) is left as it is.
ci_mark_deployed_images() {
  local stage="$1" tag="$2" keeps=false candidate
  for candidate in "${CI_STAGES_KEEPING_IMAGES[@]}"; do
    [[ "$candidate" == "$stage" ]] && keeps=true
  done
  if [[ "$keeps" == false ]]; then
    ci_log "$stage tags no image: it runs one of the last pushed, or its region's replicas"
    return 0
  fi
  local registry_region="$CI_IMAGE_REGISTRY_REGION" stage_prefix="deployed-$stage-"
  local marked_tag="$stage_prefix$tag"
  local project repository marked_digest media_type manifest stage_tags
  for project in "${CI_IMAGE_PROJECTS[@]}"; do
    repository="${CI_IMAGE_REPOSITORIES[$project]}"
    ci_capture marked_digest None aws ecr batch-get-image --region "$registry_region" \
      --repository-name "$repository" --image-ids imageTag="$marked_tag" \
      --query 'images[0].imageId.imageDigest' --output text
    if [[ -n "$marked_digest" && "$marked_digest" != None ]]; then
      ci_log "$repository:$marked_tag is already in ECR"
    else
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
    fi
    # The stage's tags, oldest image first; all but the last few come off.
    # The tag just put is never one of them: imagePushedAt is when an image
    # was first pushed, so an older image put back on the stage (rollback)
    # sorts first, and its new tag came straight off again (found in review).
    ci_capture stage_tags '' aws ecr describe-images --region "$registry_region" \
      --repository-name "$repository" --filter tagStatus=TAGGED \
      --query "sort_by(imageDetails[?imageTags[?starts_with(@, '$stage_prefix')]], &imagePushedAt)[].imageTags[?starts_with(@, '$stage_prefix')][]" \
      --output text
    local -a listed=() ordered=()
    # Every tag of the answer, on however many lines the CLI prints it.
    read -r -d '' -a listed <<<"$stage_tags" || true
    local listed_tag index
    for listed_tag in "${listed[@]}"; do
      [[ "$listed_tag" == "$marked_tag" ]] || ordered+=("$listed_tag")
    done
    for ((index = 0; index + CI_DEPLOYED_IMAGES_KEPT - 1 < ${#ordered[@]}; index += 1)); do
      ci_run aws ecr batch-delete-image --region "$registry_region" --repository-name "$repository" \
        --image-ids imageTag="${ordered[index]}" --query 'failures' --output text
    done
  done
}
