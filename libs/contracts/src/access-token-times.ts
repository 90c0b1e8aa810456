/**
 * How long a user access token lives. Short on purpose: a stolen token dies
 * quickly, and a revocation (a password change, a deletion) need only be kept
 * this long, since the tokens it refuses have expired after it.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * How far ahead of this machine's clock a token's `iat` may be: clocks of
 * replicas differ by far less, and a login just after a password change is
 * issued in the second after the change's (see the backend's access tokens).
 */
export const ACCESS_TOKEN_CLOCK_SKEW_SECONDS = 5;

/**
 * Whether a token's times are ones the backend issues: a lifetime of
 * ACCESS_TOKEN_TTL_SECONDS, and an `iat` not later than now (each give or
 * take the skew: a signer reading its clock twice may cross a second). A token signed
 * with the right key but dated ahead would survive the password changes
 * before that date, and one living for years would outlast every revocation
 * (which are kept one token lifetime); neither comes from the backend, so a
 * leaked key or a replica with a wrong clock is the only way to get one.
 */
export function hasIssuedLifetime(
  claims: { readonly iat: number; readonly exp: number },
  nowMs: number,
): boolean {
  return (
    claims.exp - claims.iat <= ACCESS_TOKEN_TTL_SECONDS + ACCESS_TOKEN_CLOCK_SKEW_SECONDS &&
    claims.iat <= nowMs / 1000 + ACCESS_TOKEN_CLOCK_SKEW_SECONDS
  );
}
