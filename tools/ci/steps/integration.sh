#!/usr/bin/env bash
# integration: the testcontainers suites (MongoDB, Neo4j), found as the specs
# that ask test/support/container-runtime.ts whether a container runtime is
# reachable. Without one those suites print "SKIPPED (no container runtime)"
# and pass; this step runs where a runtime must exist, so that line fails it.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ci_parse_common_args "$@"

suites=()
while IFS= read -r suite; do
  suites+=("$suite")
done < <(grep -rlE --include='*.spec.ts' "from '\./support/container-runtime'" apps libs | sort)
((${#suites[@]} > 0)) || ci_die "no testcontainers suites found (specs importing ./support/container-runtime)"

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
  if [[ "$CI_DRY_RUN" == false ]] && grep -q 'SKIPPED (no container runtime)' "$log"; then
    ci_die "$project: testcontainers suites were skipped (no container runtime reachable); run this step where Docker is"
  fi
done
