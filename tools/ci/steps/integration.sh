#!/usr/bin/env bash
# integration: the testcontainers suites, where a container runtime must exist.
#  1. Each lib's own testcontainers suites (MongoDB, Neo4j), found as the specs
#     that ask libs/testing's containerRuntimeUnavailableReason() whether a
#     runtime is reachable.
#  2. The compose-topology suite (apps/integration-tests, the `integration` Nx
#     target): docker/docker-compose.yml brought up by testcontainers, the store
#     contract suites against its MongoDB, Redis, Neo4j and Chroma, and register
#     -> upload -> index -> ask -> delete through the backend and aiml-gateway
#     images, which this step builds first (build-images, tagged IMAGE_TAG).
# Without a runtime those suites print "SKIPPED (no container runtime)" and
# pass; this step runs where a runtime must exist, so that line fails it.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ci_usage "usage: tools/ci/run-step integration [--dry-run]
  IMAGE_TAG         tag of the service images to build and run (default: git SHA of HEAD)
  CONTAINER_ENGINE  engine that builds them (default: docker when its engine answers, else podman);
                    it must be the engine testcontainers reaches (DOCKER_HOST or Docker's socket)"

ci_parse_common_args "$@"

fail_on_skip() {
  local log="$1" what="$2"
  if [[ "$CI_DRY_RUN" == false ]] && grep -q 'SKIPPED (no container runtime)' "$log"; then
    ci_die "$what: testcontainers suites were skipped (no container runtime reachable); run this step where Docker is"
  fi
}

suites=()
while IFS= read -r suite; do
  suites+=("$suite")
done < <(grep -rl --include='*.spec.ts' 'containerRuntimeUnavailableReason' libs | sort)
((${#suites[@]} > 0)) || ci_die "no testcontainers suites found (specs calling containerRuntimeUnavailableReason)"

# One jest run per Nx project (the project directory's name), limited to its suites.
declare -A suite_names_by_project=()
for suite in "${suites[@]}"; do
  project="$(basename "${suite%%/test/*}")"
  name="$(basename "$suite" .spec.ts)"
  suite_names_by_project[$project]+="${suite_names_by_project[$project]:+|}$name"
done

ci_run mkdir -p reports/integration
mapfile -t projects < <(printf '%s\n' "${!suite_names_by_project[@]}" | sort)
for project in "${projects[@]}"; do
  log="reports/integration/$project.log"
  ci_run_piped env CI_JUNIT_PREFIX=integration- \
    npx nx test "$project" --output-style=static -- --ci \
    --testPathPatterns="(${suite_names_by_project[$project]})\\.spec\\.ts\$" \
    --reporters=default --reporters="$CI_ROOT/tools/ci/reporters/junit-reporter.cjs" \
    '|' tee "$log"
  fail_on_skip "$log" "$project"
done

# The compose topology runs the images this checkout builds. testcontainers
# talks to the engine behind DOCKER_HOST (else Docker's socket), which the
# docker CLI also follows: where that engine answers, it is the builder.
tag="$(ci_image_tag)"
engine="$(ci_container_engine)"
dry_run_option=()
[[ "$CI_DRY_RUN" == true ]] && dry_run_option=(--dry-run)
IMAGE_TAG="$tag" CONTAINER_ENGINE="$engine" bash "$CI_STEPS_DIR/build-images.sh" "${dry_run_option[@]}"

log=reports/integration/compose-topology.log
ci_run_piped env IMAGE_TAG="$tag" CI_JUNIT_PREFIX=integration- \
  npx nx run-many -t integration --output-style=static -- --ci \
  --reporters=default --reporters="$CI_ROOT/tools/ci/reporters/junit-reporter.cjs" \
  '|' tee "$log"
fail_on_skip "$log" "compose topology"
