#!/usr/bin/env bash
# Image smoke test for machines without a Docker engine (CI): builds a Node
# base image from the Node release the Dockerfiles ship (NODE_IMAGE's version,
# its binary from the npm registry: fetch-node-binary.sh; no image is pulled),
# builds both service images on it with podman, and for each image:
#   - runs it read-only as uid 1000 with a tmpfs /tmp and a data volume, on
#     embedded defaults, and waits for /health 200 and the image's HEALTHCHECK;
#   - sends SIGTERM (podman stop) while a request loop is running and checks the
#     exit code is 0 within the drain timeout and that no accepted request failed;
#   - uses what the image must carry beyond main.js: the backend extracts an
#     uploaded PDF and DOCX (its extraction worker bundle, unpdf, mammoth,
#     argon2), the gateway indexes and searches a document (libsql);
#   - reports the image size and the layers it adds to the base (< 60 MB).
# Podman gets a store of its own for the run (images, layers, volumes and build
# temporaries), in RAM-backed /dev/shm when it has room: a CI machine's disk can
# be nearly full (a run failed writing a layer blob to /var/tmp), its memory is not.
# Removes every container, volume and image it made, and the store.
# Exits non-zero on any failure; prints one SKIPPED line and exits 0 when no
# place has room for the store.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
containers_dir="$root/tools/containers"
run_id="smoke-$$"
# What one run's store holds at its peak is about 0.35 GB (measured); this is about twice that.
store_megabytes_needed=768
base_image="localhost/docuthinker-node-local:$run_id"
# Matches DOCUTHINKER_DRAIN_TIMEOUT_MS's default; ECS stops with 30 s.
drain_timeout_seconds=25
stop_timeout_seconds=30
max_added_megabytes=60
load_workers=4

started_at=$SECONDS
log() { printf '[image-smoke %3ss] %s\n' "$((SECONDS - started_at))" "$*"; }
fail() {
  log "FAIL: $*"
  exit 1
}

free_megabytes() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { printf "%d", $4 / 1024 }'; }
# What the machine's memory can still give, less a margin for the services the test runs.
spare_memory_megabytes() { awk '/^MemAvailable:/ { printf "%d", $2 / 1024 - 2048 }' /proc/meminfo; }

# Room for the store under a directory: its free space, and on a tmpfs (RAM,
# whose size is a limit, not a reservation) no more than the memory to spare.
room_megabytes() {
  local free spare
  free="$(free_megabytes "$1")"
  free="${free:-0}"
  if [[ "$(stat -f -c %T "$1" 2>/dev/null)" == tmpfs ]]; then
    spare="$(spare_memory_megabytes)"
    ((${spare:-0} < free)) && free="${spare:-0}"
  fi
  printf '%d' "$free"
}

# The first place with room: /dev/shm (RAM), then TMPDIR, /var/tmp (disk).
store_candidates=(/dev/shm "${TMPDIR:-/tmp}" /var/tmp)
choose_store_parent() {
  local candidate
  for candidate in "${store_candidates[@]}"; do
    if [[ -d "$candidate" && -w "$candidate" ]] && (($(room_megabytes "$candidate") >= store_megabytes_needed)); then
      printf '%s' "$candidate"
      return 0
    fi
  done
  return 1
}

store_parent="$(choose_store_parent)" || {
  rooms=()
  for candidate in "${store_candidates[@]}"; do rooms+=("$candidate $(room_megabytes "$candidate") MB"); done
  echo "SKIPPED (not enough space): container image smoke test: podman's store needs ${store_megabytes_needed} MB; room: $(printf '%s; ' "${rooms[@]}")"
  exit 0
}
store="$(mktemp -d -p "$store_parent" docuthinker-image-smoke.XXXXXX)"
work="$store/work"
mkdir -p "$work" "$store/tmp"

created_containers=()
created_volumes=()
created_images=()
cleanup() {
  local status=$?
  touch "$work/stop-load"
  wait 2>/dev/null || true
  for container in "${created_containers[@]}"; do podman rm --force --time 0 "$container" >/dev/null 2>&1 || true; done
  for volume in "${created_volumes[@]}"; do podman volume rm --force "$volume" >/dev/null 2>&1 || true; done
  for image in "${created_images[@]}"; do podman rmi --force "$image" >/dev/null 2>&1 || true; done
  # A layer still mounted in the store (after a failed build) must not keep it from going.
  grep -o " $store/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n 1 umount -l 2>/dev/null || true
  rm -rf "$store"
  log "cleaned up; total $((SECONDS - started_at)) s"
  exit "$status"
}
trap cleanup EXIT

install_missing_packages() {
  local packages=(podman runc curl)
  local missing=()
  for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]} from apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# runc rather than crun, and ulimits a CI sandbox grants (podman's defaults ask
# for more); images, layers, volumes and the blobs a build copies (/var/tmp by
# default) all go to the run's own store.
write_containers_conf() {
  cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
image_copy_tmp_dir = "$store/tmp"
CONF
  cat >"$work/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$store/graph"
runroot = "$store/run"
CONF
  export CONTAINERS_CONF="$work/containers.conf" CONTAINERS_STORAGE_CONF="$work/storage.conf" TMPDIR="$store/tmp"
  log "podman's store for this run: $store ($(free_megabytes "$store") MB free there)"
}

image_bytes() { podman image inspect --format '{{.Size}}' "$1"; }
megabytes() { awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1e6 }'; }

# One request loop: a new connection per request, one line per request:
# "<start µs> <end µs> <curl exit> <http status> <connected µs>". The start is
# stamped before curl is spawned (which can take a few hundred ms on a loaded
# machine); the connect moment comes from curl's own timings (time_total and
# time_connect count from the same origin), "0" when no connection was made.
request_loop() {
  local url="$1" log_file="$2"
  while [[ ! -e "$work/stop-load" ]]; do
    local start="${EPOCHREALTIME/./}" timings status=0
    timings="$(curl --silent --output /dev/null --write-out '%{http_code} %{time_total} %{time_connect}' --max-time 5 "$url" 2>/dev/null)" || status=$?
    local end="${EPOCHREALTIME/./}" code total connect
    read -r code total connect <<<"${timings:-000 0 0}"
    printf '%s %s %s %s %s\n' "$start" "$end" "$status" "$code" \
      "$(awk -v end="$end" -v total="$total" -v connect="$connect" 'BEGIN { if (connect > 0) printf "%.0f", end - (total - connect) * 1e6; else print 0 }')" >>"$log_file"
  done
}

wait_for_health() {
  local container="$1" url="$2"
  for _ in $(seq 1 120); do
    if [[ "$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 2 "$url" 2>/dev/null)" == 200 ]]; then
      return 0
    fi
    if [[ "$(podman inspect --format '{{.State.Running}}' "$container")" != true ]]; then
      podman logs "$container" 2>&1 | tail -20
      fail "$container exited before /health answered"
    fi
    sleep 0.25
  done
  podman logs "$container" 2>&1 | tail -20
  fail "$container: /health did not answer 200 within 30 s"
}

corpus_dir="${DOCUTHINKER_CORPUS_DIR:-$root/../shared/corpus}"
gateway_service_token="smoke-service-token-$run_id-0123456789abcdef"

# A JSON field of a file's top-level object, by node (the host has no jq).
json_field() { node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]] ?? "")' "$1" "$2"; }

# Each image's features that load code from outside main.js: a bundle that
# starts can still miss a worker file or a package it requires later.
exercise_image() {
  local app="$1" base="http://$2"
  case "$app" in
  backend)
    curl --silent --fail --output "$work/register.json" --header 'content-type: application/json' \
      --data '{"email":"smoke@example.com","password":"correct horse battery"}' "$base/api/auth/register" ||
      fail "backend: registering an account failed"
    local token file status
    token="$(json_field "$work/register.json" accessToken)"
    for file in shared-mime-info-spec.pdf bsd.docx; do
      status="$(curl --silent --output "$work/upload.json" --write-out '%{http_code}' --max-time 60 \
        --header "authorization: Bearer $token" --form "file=@$corpus_dir/$file" "$base/api/documents")"
      [[ "$status" == 201 && -n "$(json_field "$work/upload.json" summary)" ]] ||
        fail "backend: uploading $file answered $status: $(head -c 300 "$work/upload.json")"
    done
    log "backend: a PDF and a DOCX uploaded and extracted"
    ;;
  aiml-gateway)
    local auth="authorization: Bearer $gateway_service_token"
    curl --silent --fail --output /dev/null --header "$auth" --header 'content-type: application/json' \
      --data '{"ownerId":"smoke","documentId":"d1","title":"t","text":"Quokkas are small marsupials of Rottnest Island."}' \
      "$base/ai/v1/index" || fail "aiml-gateway: indexing a document failed"
    curl --silent --fail --output "$work/search.json" --header "$auth" --header 'content-type: application/json' \
      --data '{"ownerId":"smoke","query":"quokka island"}' "$base/ai/v1/search" ||
      fail "aiml-gateway: searching failed"
    grep -q '"documentId":"d1"' "$work/search.json" || fail "aiml-gateway: search did not find the document: $(cat "$work/search.json")"
    log "aiml-gateway: a document indexed and found"
    # The offline engine runs in worker threads (offline-worker.js and piscina from the image).
    curl --silent --fail --output "$work/summary.json" --header "$auth" --header 'content-type: application/json' \
      --data '{"text":"Quokkas are small marsupials. They live on Rottnest Island. Visitors must not feed them."}' \
      "$base/ai/v1/tasks/summary" || fail "aiml-gateway: an offline summary failed"
    grep -q '"provider":"local"' "$work/summary.json" || fail "aiml-gateway: the summary was not the offline engine's: $(cat "$work/summary.json")"
    log "aiml-gateway: an offline summary served from a worker thread"
    ;;
  esac
}

smoke_image() {
  local app="$1" image="$2" port="$3"
  shift 3
  local container="docuthinker-$app-$run_id" volume="docuthinker-$app-data-$run_id"
  podman volume create "$volume" >/dev/null
  created_volumes+=("$volume")

  local run_options=(
    --detach --name "$container"
    --read-only --user 1000:1000
    --tmpfs "/tmp:rw,mode=1777,size=64m"
    --volume "$volume:/data"
    --publish "127.0.0.1::$port"
    --env NODE_ENV=production --env DOCUTHINKER_ALLOW_EMBEDDED=true
    "$@"
  )
  # podman logs its missing systemd health-check timer as an error; the check itself runs below.
  podman run "${run_options[@]}" "$image" >/dev/null 2>"$work/$app-run.err" ||
    fail "$app: podman run failed: $(cat "$work/$app-run.err")"
  created_containers+=("$container")

  local address url
  address="$(podman port "$container" "$port/tcp" | head -n 1)"
  url="http://$address/health"
  local boot_started=$SECONDS
  wait_for_health "$container" "$url"
  log "$app: /health 200 after $((SECONDS - boot_started)) s (read-only root, uid 1000, data on a volume)"
  podman healthcheck run "$container" >/dev/null 2>&1 || fail "$app: the image's HEALTHCHECK does not pass"
  log "$app: image HEALTHCHECK passes"
  exercise_image "$app" "$address"

  rm -f "$work/stop-load"
  local worker
  for worker in $(seq 1 "$load_workers"); do
    request_loop "$url" "$work/$app-requests-$worker.log" &
  done
  sleep 2
  local sigterm_at="${EPOCHREALTIME/./}" stop_started=$SECONDS
  podman stop --time "$stop_timeout_seconds" "$container" >/dev/null 2>&1 || fail "$app: podman stop failed"
  local stop_seconds=$((SECONDS - stop_started))
  touch "$work/stop-load"
  wait

  local exit_code drain_ms listener_closed_at
  exit_code="$(podman inspect --format '{{.State.ExitCode}}' "$container")"
  # From the service's own "shutting down" and "stopped" log lines: the drain
  # itself, without podman's stop overhead, and when the service closed its listener.
  read -r drain_ms listener_closed_at < <(podman logs "$container" 2>&1 | node "$containers_dir/drain-duration.mjs")
  # Requests started before SIGTERM must succeed. After it the listener is
  # closed, so refused or unanswered connections, and the services' explicit
  # 503 "shutting down", are expected (ECS's load balancer stops routing
  # first); a reset, an empty reply or another status would mean an accepted
  # request was dropped. A request is stamped before curl is spawned, which can
  # take a few hundred ms on a loaded machine, so a refusal stamped up to 1 s
  # before SIGTERM may really have been sent after it. The service closes its
  # listener the moment it logs "shutting down"; a connection made later is
  # refused by the kernel, and podman's port forwarder (which accepted it on
  # the host) turns that refusal into a reset. So a reset of a connection made
  # after that line is a refusal: no process could have accepted it. The
  # forwarder opens its own connection to the container only after curl's to
  # it is up, a hop of a few ms, so a connection curl made up to 50 ms before
  # the line can reach a listener already closed (a run saw curl connected
  # 5 ms before it, then a reset). (In ECS the load balancer deregisters the
  # task before it is stopped.)
  local summary
  summary="$(cat "$work/$app"-requests-*.log | awk -v sigterm="$sigterm_at" -v listener_closed="$listener_closed_at" -v slack=1000000 -v forwarder_hop=50000 -v failures="$work/$app-failures.txt" '
    function failure() {
      failed++
      printf "  started %+.1f ms from SIGTERM, connected %s: curl exit %s, HTTP %s (listener closed %s)\n", ($1 - sigterm) / 1000, \
        ($5 > 0 ? sprintf("%+.1f ms", ($5 - sigterm) / 1000) : "never"), $3, $4, \
        (listener_closed != "?" ? sprintf("%+.1f ms", (listener_closed - sigterm) / 1000) : "?") >>failures
    }
    { total++ }
    $1 < sigterm && $2 > sigterm && $3 == 0 && $4 == 200 { in_flight++ }
    $3 == 0 && $4 == 200 { ok++; next }
    $1 < sigterm - slack { failure(); next }
    $3 == 0 && $4 == 503 { refused++; next }
    listener_closed != "?" && $5 > listener_closed - forwarder_hop && ($3 == 52 || $3 == 56) { refused++; next }
    $3 == 0 || $3 == 52 || $3 == 56 { failure(); next }
    { refused++ }
    END { printf "%d %d %d %d %d", total, ok, failed, refused, in_flight }')"
  local total ok failed refused in_flight
  read -r total ok failed refused in_flight <<<"$summary"
  log "$app: SIGTERM during load: exit $exit_code, drained in $drain_ms ms, podman stop took ${stop_seconds} s; $total requests: $ok ok, $in_flight in flight at SIGTERM, $refused refused after SIGTERM (closed port or 503), $failed failed"
  [[ "$exit_code" == 0 ]] || {
    podman logs "$container" 2>&1 | tail -20
    fail "$app exited $exit_code on SIGTERM"
  }
  ((stop_seconds <= drain_timeout_seconds)) || fail "$app took ${stop_seconds} s to stop (drain timeout ${drain_timeout_seconds} s)"
  ((failed == 0)) || {
    cat "$work/$app-failures.txt"
    fail "$app: $failed request(s) failed during shutdown"
  }
  ((ok > 0)) || fail "$app: no request succeeded under load"

  local size base_size added
  size="$(image_bytes "$image")"
  base_size="$(image_bytes "$base_image")"
  added=$((size - base_size))
  log "$app: image $(megabytes "$size") MB; layers over the base: $(megabytes "$added") MB"
  printf '| %s | %s MB | %s MB |\n' "$app" "$(megabytes "$size")" "$(megabytes "$added")" >>"$work/sizes.md"
  ((added < max_added_megabytes * 1000 * 1000)) || fail "$app adds $(megabytes "$added") MB to the base (limit ${max_added_megabytes} MB)"
}

install_missing_packages
write_containers_conf
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

log "bundling both services (nx build; cached when unchanged)"
(cd "$root" && npx nx run-many -t build -p backend aiml-gateway --output-style=static >"$work/nx-build.log" 2>&1) ||
  {
    tail -30 "$work/nx-build.log"
    fail "nx build failed"
  }

# The Node the images ship with, which need not be the machine's (.nvmrc:
# tools/ci/test/pipeline-shape.spec.ts holds the Dockerfiles' NODE_IMAGE to it).
node_version="$(tr -d '[:space:]' <"$root/.nvmrc")"
log "fetching node v$node_version (.nvmrc, the Dockerfiles' NODE_IMAGE) from the npm registry"
bash "$containers_dir/fetch-node-binary.sh" "$node_version" "$work/node" || fail "could not fetch node v$node_version"
log "building the local Node base image from node v$node_version"
created_images+=("$base_image")
bash "$containers_dir/build-local-node-image.sh" "$base_image" "$work/node"

# Both images build at once: staging is mostly waiting on npm's cache and the disk.
builds_started=$SECONDS
declare -A build_pids=()
for app_and_repository in backend:docuthinker-backend aiml-gateway:docuthinker-ai-ml; do
  app="${app_and_repository%%:*}"
  created_images+=("localhost/${app_and_repository#*:}:$run_id")
  # --layers=false: no intermediate images are left behind to clean up.
  NODE_IMAGE="$base_image" IMAGE_TAG="$run_id" CONTAINER_ENGINE=podman EXTRA_BUILD_OPTIONS="--layers=false --quiet" \
    bash "$containers_dir/build-image.sh" "$app" "${app_and_repository#*:}" >"$work/$app-build.log" 2>&1 &
  build_pids[$app]=$!
done
for app in "${!build_pids[@]}"; do
  wait "${build_pids[$app]}" || {
    tail -30 "$work/$app-build.log"
    fail "$app: image build failed"
  }
done
log "both images built in $((SECONDS - builds_started)) s"

smoke_image backend "localhost/docuthinker-backend:$run_id" 5000
gateway_chroma_volume="docuthinker-aiml-gateway-chroma-$run_id"
podman volume create "$gateway_chroma_volume" >/dev/null
created_volumes+=("$gateway_chroma_volume")
# The gateway runs on another PORT than its image's default: its HEALTHCHECK must follow it.
smoke_image aiml-gateway "localhost/docuthinker-ai-ml:$run_id" 8100 \
  --env PORT=8100 \
  --env DOCUTHINKER_AI_PROVIDERS=local \
  --env DOCUTHINKER_SERVICE_TOKEN="$gateway_service_token" \
  --env DOCUTHINKER_CHROMA_DIR=/mnt/efs/chroma \
  --volume "$gateway_chroma_volume:/mnt/efs/chroma"

log "image sizes (base $(megabytes "$(image_bytes "$base_image")") MB):"
cat "$work/sizes.md"
log "PASS"
