#!/usr/bin/env bash
# install: the workspace's dependencies exactly as package-lock.json pins them,
# and the shared corpus the test suites read. The corpus is the team's sample
# documents, kept beside the repository (../shared/corpus) rather than in it,
# or where DOCUTHINKER_CORPUS_DIR points; a runner that lacks it clones the
# shared folder there from DOCUTHINKER_SHARED_REPOSITORY (a git URL the
# runner's own credentials can read: the URL is printed, so it must never
# carry a token), and brings an earlier clone up to date.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ci_usage "usage: tools/ci/run-step install [--dry-run]
environment: DOCUTHINKER_CORPUS_DIR (default ../shared/corpus beside the checkout),
             DOCUTHINKER_SHARED_REPOSITORY (git URL of the shared folder, cloned as the
             corpus directory's parent when it is missing, pulled when it is a clone),
             DOCUTHINKER_ALLOW_OTHER_NODE=true (go on, with a warning, on a Node whose
             major release is not the one in .nvmrc, e.g. a development machine)"
ci_parse_common_args "$@"

# The pipelines test and build on the Node the images ship (.nvmrc, the
# Dockerfiles' NODE_IMAGE). GitHub's jobs install it from that file; a Jenkins
# agent is provisioned outside this repository, so its Node is checked here,
# before anything is installed or built on it.
shipped_node="$(tr -d '[:space:]' <"$CI_ROOT/.nvmrc")"
shipped_node="${shipped_node#v}"
[[ "$shipped_node" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || ci_die ".nvmrc names no Node release (\"$shipped_node\"): write a version such as 24.22.3"
command -v node >/dev/null || ci_die "node is not on PATH (the images ship Node $shipped_node: .nvmrc)"
agent_node="$(node --version)"
agent_node="${agent_node#v}"
if [[ "${agent_node%%.*}" != "${shipped_node%%.*}" ]]; then
  node_problem="this machine runs Node $agent_node; the images ship Node $shipped_node (.nvmrc), the release the pipelines test on"
  if [[ "${DOCUTHINKER_ALLOW_OTHER_NODE:-}" == true ]]; then
    ci_log "warning: $node_problem"
  else
    ci_die "$node_problem (DOCUTHINKER_ALLOW_OTHER_NODE=true goes on anyway)"
  fi
fi

# No install scripts: no dependency needs one (three have one: @google/genai's
# prepare, protobufjs's version notice, @scarf/scarf's install analytics, which
# phones home), and in a job that can assume an AWS role any code run here
# could ask GitHub for the job's OIDC token (docs/pipelines.md).
ci_run npm ci --ignore-scripts --no-audit --no-fund

corpus_dir="${DOCUTHINKER_CORPUS_DIR:-$(dirname "$CI_ROOT")/shared/corpus}"
shared_dir="$(dirname "$corpus_dir")"
if [[ -d "$corpus_dir" ]]; then
  # A clone kept from an earlier build (Jenkins keeps its workspace's @tmp)
  # follows the shared folder's changes.
  if [[ -n "${DOCUTHINKER_SHARED_REPOSITORY:-}" && -d "$shared_dir/.git" ]]; then
    ci_run git -C "$shared_dir" pull --quiet --ff-only
  fi
  ci_report "shared corpus: $corpus_dir"
elif [[ -n "${DOCUTHINKER_SHARED_REPOSITORY:-}" && "$(basename "$corpus_dir")" == corpus ]]; then
  # Cloned where the suites will look: beside the checkout, or where
  # DOCUTHINKER_CORPUS_DIR points (Jenkins keeps it in the workspace's @tmp,
  # which no other job shares).
  ci_run git clone --quiet --depth 1 "$DOCUTHINKER_SHARED_REPOSITORY" "$shared_dir"
  [[ "$CI_DRY_RUN" == true || -d "$corpus_dir" ]] ||
    ci_die "$DOCUTHINKER_SHARED_REPOSITORY has no corpus/ folder"
elif [[ -n "${DOCUTHINKER_CORPUS_DIR:-}" ]]; then
  ci_die "DOCUTHINKER_CORPUS_DIR=$DOCUTHINKER_CORPUS_DIR does not exist (a clone of DOCUTHINKER_SHARED_REPOSITORY goes only to a directory named corpus, as its parent)"
else
  # Lint-only and deploy jobs do not read the corpus, so this is not fatal here.
  ci_log "no shared corpus at $corpus_dir: the test suites need it; set DOCUTHINKER_SHARED_REPOSITORY or DOCUTHINKER_CORPUS_DIR"
fi
