/** An error thrown by the AWS SDK: its name and message, and for an HTTP answer its status. */
type SdkFailure = Error & {
  code?: string;
  $metadata?: { httpStatusCode?: number };
  /** Set on an answer the SDK could not read (a deserialization error). */
  $response?: { statusCode?: number };
};

/**
 * Node's codes for a connection that could not be made or was lost; a file's
 * (ENOENT of `--file`) is the operator's input, not the network.
 */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * The line an operator reads for a failed call to Secrets Manager: the SDK's
 * own words where they say what went wrong (AccessDeniedException: ...), and
 * where they do not, what to check (found in an exploratory test: "Region is
 * missing", "Unknown: UnknownError" or a JSON SyntaxError from an endpoint
 * that is not Secrets Manager, a bare ECONNREFUSED). SDK errors carry no
 * secret values.
 */
export function describeAwsFailure(error: SdkFailure): string {
  if (error.message === 'Region is missing' || error.message.startsWith('Region not accepted')) {
    return 'no AWS region is set: set AWS_REGION (or AWS_PROFILE, naming a profile with a region)';
  }
  const unreadable =
    (error.name === 'Unknown' && error.message === 'UnknownError') ||
    error.message.includes('Deserialization error');
  if (unreadable) {
    const status = error.$metadata?.httpStatusCode ?? error.$response?.statusCode;
    const answer = status === undefined ? 'an answer' : `HTTP ${status}`;
    return `the endpoint answered ${answer}, not as Secrets Manager answers: check AWS_ENDPOINT_URL and AWS_REGION`;
  }
  if (error.name === 'Error' && error.code !== undefined && NETWORK_ERROR_CODES.has(error.code)) {
    return `could not reach Secrets Manager (${error.message}): check AWS_ENDPOINT_URL, AWS_REGION and the network`;
  }
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}
