#!/usr/bin/env bash
# verify: lint (with Prettier's check of the whole tree), typecheck, build and
# test the projects affected between NX_BASE
# and NX_HEAD, which the pipeline sets (nx-set-shas on GitHub, the last
# successful build's commit on Jenkins). Test results are written as JUnit XML
# to reports/junit for the pipelines' test reports. The test suites start a
# real redis-server and moto_server (libs/testing/src/services.ts): when tests
# are asked for and either is missing, the step stops before running anything.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ci_usage "usage: tools/ci/run-step verify [--targets lint,typecheck,build,test] [--dry-run]
  NX_BASE  commit to compare against (default: main)
  NX_HEAD  commit under test (default: HEAD)"

targets="lint,typecheck,build,test"
while (($#)); do
  if ci_common_option "$1"; then
    shift
    continue
  fi
  case "$1" in
    --targets)
      (($# >= 2)) || ci_usage_error "--targets needs a value"
      targets="$2"
      shift 2
      ;;
    --targets=*)
      targets="${1#*=}"
      shift
      ;;
    *) ci_usage_error "unknown argument: $1" ;;
  esac
done

# Tests run apart from the other targets: the reporter options are jest's and
# would reach lint and build too.
other_targets=()
run_tests=false
check_format=false
IFS=',' read -r -a requested <<<"$targets"
for target in "${requested[@]}"; do
  case "$target" in
    test) run_tests=true ;;
    lint)
      check_format=true
      other_targets+=("$target")
      ;;
    typecheck | build) other_targets+=("$target") ;;
    *) ci_usage_error "unknown target \"$target\" (expected lint, typecheck, build or test)" ;;
  esac
done

# Otherwise a missing server shows up only after the build, as a failed suite
# in each project that starts one. The pipelines install both (ci.yml,
# deploy.yml); a Jenkins agent must have them (Jenkinsfile, docs/pipelines.md).
if [[ "$run_tests" == true ]]; then
  missing=()
  for tool in redis-server moto_server; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ((${#missing[@]} > 0)); then
    problem="the test suites need redis-server (apt-get install redis-server) and moto_server (pipx install \"moto[server]==5.2.1\"); not on PATH: ${missing[*]}"
    [[ "$CI_DRY_RUN" == true ]] || ci_die "$problem"
    ci_log "$problem (a real run stops here)"
  fi
fi

base="${NX_BASE:-main}"
head="${NX_HEAD:-HEAD}"
if [[ -z "${NX_BASE:-}" ]]; then
  ci_log "NX_BASE is not set: comparing against main"
fi
base_commit="$(git rev-parse --verify --quiet "$base^{commit}" || true)"
if [[ -n "$base_commit" && "$base_commit" == "$(git rev-parse --verify --quiet "$head^{commit}" || true)" ]]; then
  # Nothing differs from a base that is the head itself (a first build of
  # main falling back to origin/main, a rebuild): nx affected would select
  # no project, and a commit would ship unverified.
  ci_log "NX_BASE $base is the head itself: running every project"
  affected=(npx nx run-many --output-style=static)
elif [[ -n "$base_commit" ]]; then
  affected=(npx nx affected --base="$base" --head="$head" --output-style=static)
else
  # A base this clone lacks (a shallow or single-branch fetch, history
  # rewritten since the last green build) cannot bound the change: check all.
  ci_log "NX_BASE $base is not a commit in this clone: running every project"
  affected=(npx nx run-many --output-style=static)
fi

if ((${#other_targets[@]} > 0)); then
  ci_run "${affected[@]}" -t "${other_targets[@]}"
fi
if [[ "$check_format" == true ]]; then
  # The whole tree: without --all, nx checks only what differs from its base,
  # which on a clone of main itself is nothing.
  ci_run npx nx format:check --all
fi
if [[ "$run_tests" == true ]]; then
  ci_run "${affected[@]}" -t test -- --ci --reporters=default \
    --reporters="$CI_ROOT/tools/ci/reporters/junit-reporter.cjs"
fi
