# shellcheck shell=bash
# Sourced by every tools/ci step. One way to run a command, so that `--dry-run`
# prints exactly what a real run executes (a "+ " line per command) and runs
# nothing; options every step shares; the image tag and the stage.

CI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck disable=SC2034 # read by the steps that call other steps
CI_STEPS_DIR="$CI_ROOT/tools/ci/steps"
CI_STEP="$(basename "$0" .sh)"
CI_DRY_RUN=false
CI_USAGE="usage: tools/ci/run-step $CI_STEP [--dry-run]"
# Relative to the repository root unless absolute; rollback reads what deploy wrote here.
CI_STATE_DIR="${CI_STATE_DIR:-dist/ci}"

# Offline, non-interactive Nx in every pipeline (see docs/pipelines.md).
export NX_DAEMON="${NX_DAEMON:-false}" NX_NO_CLOUD="${NX_NO_CLOUD:-true}" NX_TUI="${NX_TUI:-false}"

# Every command prints and resolves paths from the repository root.
cd "$CI_ROOT" || exit 1

# Each step describes its options and environment once; --help prints it.
ci_usage() {
  CI_USAGE="$1"
}

ci_log() {
  printf '%s: %s\n' "$CI_STEP" "$*"
}

# An outcome ("... are stable"): true only of a real run, so a dry run stays quiet.
ci_report() {
  [[ "$CI_DRY_RUN" == true ]] || ci_log "$@"
}

ci_die() {
  printf '%s: %s\n' "$CI_STEP" "$*" >&2
  exit 1
}

ci_usage_error() {
  printf '%s: %s\n%s\n' "$CI_STEP" "$1" "$CI_USAGE" >&2
  exit 2
}

# Handles the options every step shares; returns 1 for anything else.
ci_common_option() {
  case "$1" in
    --dry-run) CI_DRY_RUN=true ;;
    -h | --help)
      printf '%s\n' "$CI_USAGE"
      exit 0
      ;;
    *) return 1 ;;
  esac
}

# For steps that take no options of their own.
ci_parse_common_args() {
  while (($#)); do
    ci_common_option "$1" || ci_usage_error "unknown argument: $1"
    shift
  done
}

# Shell-quotes a word only when it needs it, so printed commands stay readable
# and can still be pasted into a shell.
ci_quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
    printf '%s' "$1"
  elif [[ "$1" != *"'"* ]]; then
    printf "'%s'" "$1"
  elif [[ ! "$1" =~ [\"\\\$\`!] ]]; then
    printf '"%s"' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

ci_render() {
  local rendered="" word
  for word in "$@"; do
    rendered+="${rendered:+ }$(ci_quote "$word")"
  done
  printf '%s' "$rendered"
}

ci_run() {
  printf '+ %s\n' "$(ci_render "$@")"
  [[ "$CI_DRY_RUN" == true ]] && return 0
  "$@"
}

# `ci_run_piped cmd1 args '|' cmd2 args`: one pipe, printed as one line.
ci_run_piped() {
  local -a producer=() consumer=()
  local in_consumer=false word
  for word in "$@"; do
    if [[ "$in_consumer" == false && "$word" == '|' ]]; then
      in_consumer=true
    elif [[ "$in_consumer" == false ]]; then
      producer+=("$word")
    else
      consumer+=("$word")
    fi
  done
  printf '+ %s | %s\n' "$(ci_render "${producer[@]}")" "$(ci_render "${consumer[@]}")"
  [[ "$CI_DRY_RUN" == true ]] && return 0
  "${producer[@]}" | "${consumer[@]}"
}

# `ci_capture VAR PLACEHOLDER cmd args`: runs a read-only query and stores its
# output in VAR. A dry run cannot know the answer, so VAR gets PLACEHOLDER.
ci_capture() {
  local -n ci_capture_target="$1"
  local placeholder="$2"
  shift 2
  printf '+ %s\n' "$(ci_render "$@")"
  if [[ "$CI_DRY_RUN" == true ]]; then
    ci_capture_target="$placeholder"
    return 0
  fi
  # shellcheck disable=SC2034 # a nameref: the assignment lands in the caller's variable
  ci_capture_target="$("$@")"
}

# Writes one line to a state file, printed as the shell command that does it.
ci_write_state() {
  local path="$1" value="$2"
  ci_run mkdir -p "$(dirname "$path")"
  printf '+ %s > %s\n' "$(ci_render printf '%s\n' "$value")" "$(ci_quote "$path")"
  [[ "$CI_DRY_RUN" == true ]] && return 0
  printf '%s\n' "$value" >"$path"
}

ci_is_image_tag() {
  [[ "$1" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]
}

# IMAGE_TAG from the pipeline, else the commit checked out: images are tagged
# with the git SHA, and ECR refuses to move a tag once pushed.
ci_image_tag() {
  local tag="${IMAGE_TAG:-}"
  if [[ -z "$tag" ]]; then
    tag="$(git rev-parse HEAD)"
  fi
  # A dry run may carry a "<placeholder>" for a tag only a real run can know.
  if [[ "$CI_DRY_RUN" == true && "$tag" == \<*\> ]]; then
    printf '%s' "$tag"
    return 0
  fi
  ci_is_image_tag "$tag" || ci_die "IMAGE_TAG \"$tag\" is not a valid image tag"
  printf '%s' "$tag"
}

# In a dry run of diff or deploy (and so of rollback), runs what the real
# run checks before it calls AWS: the stage's HTTPS, provider and alarm
# variables and the image tag (libs/infra/src/bin/cdk-stage.ts
# --preflight-only; about a second, no AWS call). Found in an exploratory
# test: a dry run before a hand rollback passed where the run stopped in its
# first second. The real run goes through nx, which also reads a local .env;
# this calls the script directly, as a pipeline (no .env) sees it.
ci_infra_preflight() {
  local action="$1" stage="$2" tag="$3"
  [[ "$CI_DRY_RUN" == true ]] || return 0
  # A "<placeholder>" is a tag only a real run can know (rollback's recorded
  # one): the stage is checked with a stand-in, the tag itself is not.
  if [[ "$tag" == \<*\> ]]; then
    ci_log "checks $stage with a stand-in for $tag, which only a real run reads"
    tag=dry-run-stand-in
  fi
  (cd "$CI_ROOT" && IMAGE_TAG="$tag" SWC_NODE_PROJECT=tsconfig.base.json \
    node -r @swc-node/register libs/infra/src/bin/cdk-stage.ts "$action" "$stage" --preflight-only) ||
    ci_die "$action to $stage would stop at the check above"
}

# The engine tools/containers/container-engine.sh chooses, as build-image.sh
# does, so the images are found where they were built.
ci_container_engine() {
  # shellcheck source=../../containers/container-engine.sh
  source "$CI_ROOT/tools/containers/container-engine.sh"
  container_engine
}
