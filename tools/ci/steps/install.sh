#!/usr/bin/env bash
# install: the workspace's dependencies exactly as package-lock.json pins them.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ci_parse_common_args "$@"
ci_run npm ci --no-audit --no-fund
