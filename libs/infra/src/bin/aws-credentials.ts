import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const NODE_VERSION_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * `environment` with the AWS SDK's multi-line Node-version notice switched
 * off, unless it says otherwise: the notice would bury the one line the
 * preflight prints. For this process and for the CDK CLI it starts, which
 * reads its own copy of the environment.
 */
export function withoutSdkNodeWarning(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...environment,
    [NODE_VERSION_WARNING_SWITCH]: environment[NODE_VERSION_WARNING_SWITCH] ?? 'true',
  };
}

/**
 * Whether the default AWS credential chain (env, profile, SSO, container or
 * instance role) yields credentials. Any SDK client exposes that chain; the
 * Secrets Manager client is the one the workspace already depends on.
 */
export async function hasAwsCredentials(region: string, timeoutMs = 10_000): Promise<boolean> {
  // The client below reads the switch from this process's own environment.
  process.env[NODE_VERSION_WARNING_SWITCH] ??= 'true';
  const client = new SecretsManagerClient({ region });
  const timeout = new Promise<false>((resolve) =>
    setTimeout(() => resolve(false), timeoutMs).unref(),
  );
  try {
    const resolved = client.config
      .credentials()
      .then((credentials) => Boolean(credentials.accessKeyId));
    return await Promise.race([resolved, timeout]);
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
