import { SECRET_PREFIX } from '@docuthinker/config';
import { Aws } from 'aws-cdk-lib';
import { CLUSTER_NAME, SERVICE_CONNECT_NAMESPACE } from './platform-constants';
import type { StageName } from './stage-settings';

/**
 * Prod and DR run in different regions, so they use the plain names the seed
 * and the runbooks know. Dev and staging share prod's account and region, so
 * their account-wide names (cluster, secrets) carry the stage.
 */
function usesPlainNames(stage: StageName): boolean {
  return stage === 'prod' || stage === 'dr';
}

export function clusterNameFor(stage: StageName): string {
  return usesPlainNames(stage) ? CLUSTER_NAME : `${CLUSTER_NAME}-${stage}`;
}

/**
 * The Cloud Map namespace of the stage's Service Connect. Its name must be
 * unique in the account and region as well: ECS resolves a namespace given
 * by name through Cloud Map's HTTP name, which only the first namespace of a
 * name gets, so a second stage's services would join the first stage's
 * namespace (in another VPC). The services also refer to it by ARN.
 */
export function serviceConnectNamespaceFor(stage: StageName): string {
  return usesPlainNames(stage)
    ? SERVICE_CONNECT_NAMESPACE
    : SERVICE_CONNECT_NAMESPACE.replace(/^docuthinker\./, `docuthinker-${stage}.`);
}

/** `docuthinker/` for prod and DR, `docuthinker/<stage>/` otherwise. */
export function secretPrefixFor(stage: StageName): string {
  return usesPlainNames(stage) ? SECRET_PREFIX : `${SECRET_PREFIX}${stage}/`;
}

export function stackNameFor(stage: StageName, part: 'Network' | 'Platform'): string {
  return `DocuThinker-${stage}-${part}`;
}

/**
 * The stage's documents bucket, unique by account and region. Deterministic,
 * so the peer stage in the other region names it without a cross-region
 * stack reference. `account` is a parameter only so cdk-nag's rendering of
 * the name (`<AWS::AccountId>`) can be spelled from the same pattern.
 */
export function documentsBucketNameFor(
  stage: StageName,
  region: string,
  account: string = Aws.ACCOUNT_ID,
): string {
  return `docuthinker-documents-${stage}-${account}-${region}`;
}
