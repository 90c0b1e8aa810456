#!/usr/bin/env bash
# smoke: GET /health (liveness), /ready (the backend's stores) and /ai/ready
# (the gateway's indexes) through the stage's own load balancer until each
# answers 200, retrying every
# SMOKE_INTERVAL_SECONDS until SMOKE_DEADLINE_SECONDS have passed. The load
# balancer is the stack output LoadBalancerDnsName that deploy wrote. A stage
# deployed with a domain (DOCUTHINKER_<STAGE>_DOMAIN_NAME or
# DOCUTHINKER_DOMAIN_NAME, resolved by deploy's own code in libs/infra:
# trimmed, a blank stage variable counting as unset) is probed as
# https://<domain>, because the ALB's own name is not on the certificate, but
# dialled at that load balancer (curl --connect-to): the domain may be a
# Route 53 failover name that prod answers while prod is healthy, so asking
# DNS would smoke-test prod after a DR deploy. SMOKE_BASE_URL, when set, is
# probed as given. Once every probe answers 200, the images deploy put on
# prod are tagged deployed-prod-<tag>, so ECR keeps them
# (ci_mark_deployed_images; other stages tag nothing). After a deploy that deployed nothing (the stage
# runs a later commit, which its own run verifies) it probes nothing, tags
# nothing and succeeds: this run wrote no outputs to find the stage by.
set -euo pipefail
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/stage-facts.sh
source "$CI_ROOT/tools/ci/lib/stage-facts.sh"
# shellcheck source=../lib/deployed-images.sh
source "$CI_ROOT/tools/ci/lib/deployed-images.sh"

ci_usage "usage: tools/ci/run-step smoke [--dry-run]
  STAGE                   dev, staging, prod or dr
  SMOKE_BASE_URL          base URL to probe as given (default: https://<stage domain> dialled
                          at the stage's load balancer when a domain is set, else
                          http://<LoadBalancerDnsName output>)
  DOCUTHINKER_<STAGE>_DOMAIN_NAME, DOCUTHINKER_DOMAIN_NAME
                          the stage's domain, read as deploy reads it (trimmed; a blank
                          stage variable counts as unset; a malformed one is refused)
  SMOKE_OUTPUTS_FILE      stack outputs to read the load balancer from
                          (default: the file deploy writes, libs/infra/cdk.out/<stage>-outputs.json)
  SMOKE_DEADLINE_SECONDS  give up after this long (default: 300)
  SMOKE_INTERVAL_SECONDS  pause between attempts (default: 10)"

ci_parse_common_args "$@"
stage="$(ci_stage)"
if ci_deploy_was_skipped "$stage" verify; then
  exit 0
fi
deadline_seconds="${SMOKE_DEADLINE_SECONDS:-300}"
interval_seconds="${SMOKE_INTERVAL_SECONDS:-10}"
[[ "$deadline_seconds" =~ ^[0-9]+$ ]] || ci_usage_error "SMOKE_DEADLINE_SECONDS must be whole seconds"
[[ "$interval_seconds" =~ ^[0-9]+(\.[0-9]+)?$ ]] || ci_usage_error "SMOKE_INTERVAL_SECONDS must be a number of seconds"

# The DNS name of this stage's own load balancer, from the outputs deploy wrote.
load_balancer_dns_name() {
  local outputs stack dns_name
  outputs="${SMOKE_OUTPUTS_FILE:-$(ci_stage_outputs_file "$stage")}"
  stack="$(ci_stage_platform_stack "$stage")"
  if [[ -f "$outputs" ]]; then
    dns_name="$(node -e 'const [file, stack] = process.argv.slice(1);
      process.stdout.write(require(require("node:path").resolve(file))[stack]?.LoadBalancerDnsName ?? "");' \
      "$outputs" "$stack")"
    [[ -n "$dns_name" ]] || ci_die "$outputs has no LoadBalancerDnsName for $stack"
  elif [[ "$CI_DRY_RUN" == true ]]; then
    dns_name="<LoadBalancerDnsName of $stack from $outputs>"
  else
    ci_die "no $outputs: the deploy step writes it; run smoke after deploy or set SMOKE_BASE_URL"
  fi
  printf '%s' "$dns_name"
}

# The domain deploy served the stage on, or nothing. Asked of libs/infra's
# own settings code (what `nx deploy infra` passes as -c domainName), not
# read here: the value trimmed, a blank stage variable counted as unset, a
# malformed one refused in one line, exactly as deploy did.
stage_domain_name() {
  local error_file domain
  error_file="$(mktemp)"
  if ! domain="$(SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register \
    libs/infra/src/bin/stage-domain.ts "$stage" 2>"$error_file")"; then
    domain="$(<"$error_file")"
    rm -f "$error_file"
    ci_die "${domain:-cannot read the domain of $stage}"
  fi
  rm -f "$error_file"
  printf '%s' "$domain"
}

# curl options that send each probe to this stage's load balancer.
route=()
dialled=""
stage_domain=""
[[ -n "${SMOKE_BASE_URL:-}" ]] || stage_domain="$(stage_domain_name)"
if [[ -n "${SMOKE_BASE_URL:-}" ]]; then
  base_url="$SMOKE_BASE_URL"
elif [[ -n "$stage_domain" ]]; then
  load_balancer="$(load_balancer_dns_name)"
  base_url="https://$stage_domain"
  # The certificate's name in the request (SNI, Host), this stage's ALB on the wire.
  route=(--connect-to "$stage_domain:443:$load_balancer:443")
  dialled=" at $load_balancer"
else
  base_url="http://$(load_balancer_dns_name)"
fi
deadline=$((SECONDS + deadline_seconds))

# /ai/ready is the gateway's own readiness: the load balancer sends /ai/* there,
# and the backend's /ready leaves the gateway out on purpose.
for path in /health /ready /ai/ready; do
  url="${base_url%/}$path"
  probe=(curl --silent --location --max-time 10 --output /dev/null --write-out '%{http_code}'
    "${route[@]}" "$url")
  printf '+ %s\n' "$(ci_render "${probe[@]}")"
  if [[ "$CI_DRY_RUN" == true ]]; then
    ci_log "expects 200 from $url$dialled, retrying every ${interval_seconds}s for up to ${deadline_seconds}s"
    continue
  fi
  attempt=1
  while true; do
    # curl answers 000 when nothing answered at all (refused, timed out, DNS).
    status="$("${probe[@]}")" || true
    if [[ "$status" == 200 ]]; then
      ci_log "$url$dialled answered 200 (attempt $attempt)"
      break
    fi
    if ((SECONDS >= deadline)); then
      ci_die "$url did not answer 200 within ${deadline_seconds}s: $attempt attempts, last answer ${status:-000}"
    fi
    ci_log "$url answered ${status:-000} (attempt $attempt); retrying in ${interval_seconds}s"
    sleep "$interval_seconds"
    attempt=$((attempt + 1))
  done
done
ci_report "$stage answers /health, /ready and /ai/ready"

# The tag deploy put on the stage in this run: what the probes just verified.
deployed_tag_file="$(ci_deployed_tag_file "$stage")"
if [[ -s "$deployed_tag_file" ]]; then
  # The stage is verified: failing to tag it must not roll it back (the
  # pipelines roll back when this step fails). Untagged, its images are
  # still among the last pushed for a while; the next verified deploy tags.
  # Not `( … ) || warn`: inside a || list bash ignores set -e, so a failed
  # AWS call would not stop the tagging, nor be reported.
  set +e
  (
    set -e
    ci_mark_deployed_images "$stage" "$(<"$deployed_tag_file")"
  )
  tagged=$?
  set -e
  ((tagged == 0)) ||
    ci_log "warning: the images $stage runs could not be tagged as deployed; ECR keeps them only among the last pushed"
else
  ci_log "no deploy recorded for $stage in this run ($deployed_tag_file): no image is tagged"
fi
