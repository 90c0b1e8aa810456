import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Stand-ins for the AWS CLI and npx that write each call (and the IMAGE_TAG it
 * saw) to a log, so a test can run deploy and rollback for real and read what
 * they did. Answers are steered by environment variables:
 *   FAKE_RUNNING_TAG    the tag describe-task-definition reports as running
 *   FAKE_NO_CLUSTER     describe-services fails as for a stage never deployed
 *   FAKE_DEPLOY_STATUS  exit status of `npx nx deploy`
 *   FAKE_IMAGES         images `docker image inspect` finds
 *   FAKE_HTTP_STATUS    what every curl probe answers (200)
 *   FAKE_ECR_MISSING    an image tag ECR does not have (every other pushed tag it has)
 *   FAKE_ECR_FAILING    an ECR operation that fails (e.g. put-image)
 *   FAKE_STACK_STATUSES what describe-stacks answers, one a call, the last repeating (UPDATE_COMPLETE)
 * ECR keeps the tags `put-image` adds (files under ecr/ beside the log), and
 * refuses one it already has, as immutable tags are refused.
 */
const FAKE_AWS = `#!/usr/bin/env bash
printf 'aws %s\\n' "$*" >>"$FAKE_LOG"
case "$1 $2" in
  "ecs describe-services")
    if [[ -n "\${FAKE_NO_CLUSTER:-}" ]]; then
      echo "An error occurred (ClusterNotFoundException) when calling the DescribeServices operation: Cluster not found." >&2
      exit 254
    fi
    echo "arn:aws:ecs:us-east-1:123456789012:task-definition/docuthinker:41"
    ;;
  "ecs describe-task-definition")
    echo "123456789012.dkr.ecr.us-east-1.amazonaws.com/docuthinker-backend:\${FAKE_RUNNING_TAG}"
    ;;
  "ecs wait") ;;
  "cloudformation describe-stacks")
    # One status a call from FAKE_STACK_STATUSES (space-separated), the last one repeating.
    statuses=(\${FAKE_STACK_STATUSES:-UPDATE_COMPLETE})
    count_file="$(dirname "$FAKE_LOG")/describe-stacks.count"
    count="$(cat "$count_file" 2>/dev/null || echo 0)"
    echo $((count + 1)) >"$count_file"
    index=$((count < \${#statuses[@]} ? count : \${#statuses[@]} - 1))
    echo "\${statuses[$index]}"
    ;;
  "ecr batch-get-image" | "ecr put-image" | "ecr describe-images" | "ecr batch-delete-image")
    operation="$2"
    if [[ "$operation" == "\${FAKE_ECR_FAILING:-}" ]]; then
      echo "An error occurred (AccessDeniedException) when calling ECR" >&2
      exit 254
    fi
    ecr_dir="$(dirname "$FAKE_LOG")/ecr"
    mkdir -p "$ecr_dir"
    repository="" tag="" query="" new_tag=""
    while (($#)); do
      case "$1" in
        --repository-name) repository="$2"; shift ;;
        --image-ids) tag="\${2#imageTag=}"; shift ;;
        --image-tag) new_tag="$2"; shift ;;
        --query) query="$2"; shift ;;
      esac
      shift
    done
    if [[ "$operation" == describe-images ]]; then
      # The tags added so far, in the order they were added (as push time),
      # FAKE_ECR_PUSHED_FIRST first (a tag put on an image pushed long ago).
      prefix="$(sed -n "s/.*starts_with(@, '\\([^']*\\)').*/\\1/p" <<<"$query")"
      {
        grep -x "\${FAKE_ECR_PUSHED_FIRST:-}" "$ecr_dir/$repository.tags" 2>/dev/null
        grep "^$prefix" "$ecr_dir/$repository.tags" 2>/dev/null | grep -vx "\${FAKE_ECR_PUSHED_FIRST:-}"
      } | tr '\\n' '\\t'
      echo
    elif [[ "$operation" == batch-delete-image ]]; then
      rm -f "$ecr_dir/$repository:$tag"
      grep -vx "$tag" "$ecr_dir/$repository.tags" >"$ecr_dir/$repository.tags.new" || true
      mv "$ecr_dir/$repository.tags.new" "$ecr_dir/$repository.tags"
    elif [[ -n "$new_tag" ]]; then
      if [[ -e "$ecr_dir/$repository:$new_tag" ]]; then
        echo "An error occurred (ImageAlreadyExistsException) when calling the PutImage operation" >&2
        exit 254
      fi
      touch "$ecr_dir/$repository:$new_tag"
      echo "$new_tag" >>"$ecr_dir/$repository.tags"
      echo "$new_tag"
    elif [[ "$tag" == "\${FAKE_ECR_MISSING:-}" ]] || { [[ "$tag" == deployed-* ]] && [[ ! -e "$ecr_dir/$repository:$tag" ]]; }; then
      echo None
    else
      case "$query" in
        *imageDigest*) echo "sha256:0123" ;;
        *MediaType*) echo "application/vnd.oci.image.manifest.v1+json" ;;
        *imageManifest*) echo '{"schemaVersion":2}' ;;
      esac
    fi
    ;;
  *)
    echo "fake aws: unexpected call: $*" >&2
    exit 2
    ;;
esac
`;

const FAKE_NPX = `#!/usr/bin/env bash
printf 'npx %s IMAGE_TAG=%s\\n' "$*" "\${IMAGE_TAG:-}" >>"$FAKE_LOG"
exit "\${FAKE_DEPLOY_STATUS:-0}"
`;

/** Exits 0 for every scan: scan-images only needs a trivy on PATH to print its commands. */
const FAKE_TRIVY = `#!/usr/bin/env bash
printf 'trivy %s\\n' "$*" >>"$FAKE_LOG"
`;

/** Answers every probe with FAKE_HTTP_STATUS (200), as smoke's curl --write-out '%{http_code}' prints it. */
const FAKE_CURL = `#!/usr/bin/env bash
printf 'curl %s\\n' "$*" >>"$FAKE_LOG"
printf '%s' "\${FAKE_HTTP_STATUS:-200}"
`;

/** Knows the images listed in FAKE_IMAGES (space-separated); logs everything else it is asked. */
const FAKE_DOCKER = `#!/usr/bin/env bash
printf 'docker %s\\n' "$*" >>"$FAKE_LOG"
if [[ "$1 $2" == "image inspect" ]]; then
  [[ " \${FAKE_IMAGES:-} " == *" \${3} "* ]]
fi
`;

export interface FakeCommands {
  /** PATH with the fakes first. */
  readonly path: string;
  readonly log: string;
  /** The calls logged so far, one per line. */
  calls(): string[];
}

export function installFakeCommands(dir: string, basePath = process.env.PATH ?? ''): FakeCommands {
  for (const [name, script] of Object.entries({
    aws: FAKE_AWS,
    npx: FAKE_NPX,
    trivy: FAKE_TRIVY,
    docker: FAKE_DOCKER,
    curl: FAKE_CURL,
  })) {
    const file = join(dir, name);
    writeFileSync(file, script);
    chmodSync(file, 0o755);
  }
  const log = join(dir, 'calls.log');
  return {
    path: `${dir}${delimiter}${basePath}`,
    log,
    calls: () =>
      existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [],
  };
}
