import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { silenceSdkNodeNotice } from '@docuthinker/config';

/**
 * Whether the default AWS credential chain (env, profile, SSO, container or
 * instance role) yields credentials. Any SDK client exposes that chain; the
 * Secrets Manager client is the one the workspace already depends on.
 */
export async function hasAwsCredentials(region: string, timeoutMs = 10_000): Promise<boolean> {
  // The notice would bury the one line the preflight prints.
  silenceSdkNodeNotice();
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
