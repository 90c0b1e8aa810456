#!/usr/bin/env bash
# The engine that builds and runs our images, one rule for every script:
# CONTAINER_ENGINE when set; else docker when its engine answers, so that
# `docker compose` (which sees only Docker's images) runs what was built;
# else podman when installed (no daemon needed); else docker, whose own
# error then says what is missing. A docker CLI without an engine (this
# repository's build machines) does not count.
container_engine() {
  if [[ -n "${CONTAINER_ENGINE:-}" ]]; then
    printf '%s' "$CONTAINER_ENGINE"
  elif command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
    printf 'docker'
  elif command -v podman >/dev/null 2>&1; then
    printf 'podman'
  else
    printf 'docker'
  fi
}
