# shellcheck shell=bash
# The image tag a stage runs now, read off its ECS services: deploy records it
# before it deploys (what rollback restores), and rollback reads it again to
# see whether CloudFormation has put it back already. Needs stage-facts.sh.

# Sets task_definition to the service's running task definition, or to nothing
# when the stage (its cluster) or the service does not exist yet.
ci_find_running_task_definition() {
  local stage="$1" service="$2" error_file answer
  local query=(aws ecs describe-services --region "$(ci_stage_region "$stage")"
    --cluster "$(ci_stage_cluster "$stage")" --services "$service"
    --query 'services[0].taskDefinition' --output text)
  task_definition=""
  printf '+ %s\n' "$(ci_render "${query[@]}")"
  if [[ "$CI_DRY_RUN" == true ]]; then
    task_definition="<task definition of $service>"
    return 0
  fi
  error_file="$(mktemp)"
  if answer="$("${query[@]}" 2>"$error_file")"; then
    [[ "$answer" == None ]] || task_definition="$answer"
  elif ! grep -q ClusterNotFoundException "$error_file"; then
    cat "$error_file" >&2
    rm -f "$error_file"
    ci_die "cannot read what $service runs in $stage"
  fi
  rm -f "$error_file"
}

# Sets running_tag to the tag the stage's services built from this workspace
# run (the first one's, with a warning when another runs a different one), or
# to nothing when none of them runs yet.
ci_read_running_tag() {
  local stage="$1" service container image tag
  running_tag=""
  for service in "${CI_TAGGED_SERVICES[@]}"; do
    container="${CI_SERVICE_CONTAINERS[$service]}"
    ci_find_running_task_definition "$stage" "$service"
    if [[ -z "$task_definition" ]]; then
      ci_log "$service does not run in $stage yet"
      continue
    fi
    ci_capture image "<image of $container>:<running tag>" aws ecs describe-task-definition \
      --region "$(ci_stage_region "$stage")" --task-definition "$task_definition" \
      --query "taskDefinition.containerDefinitions[?name=='$container'].image | [0]" --output text
    tag="${image##*:}"
    if [[ "$CI_DRY_RUN" == false ]] && ! ci_is_image_tag "$tag"; then
      ci_die "$service runs $image, which has no image tag to roll back to"
    fi
    if [[ -z "$running_tag" ]]; then
      running_tag="$tag"
    elif [[ "$tag" != "$running_tag" ]]; then
      ci_log "warning: $service runs $tag but ${CI_TAGGED_SERVICES[0]} runs $running_tag; rollback restores $running_tag"
    fi
  done
}
