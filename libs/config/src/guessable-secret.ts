/**
 * The secrets whose value anyone who knows it can use to sign in as anyone:
 * the JWT key signs users' tokens, the service token is the gateway's
 * master key. A value copied from docker/.env.example, or typed by hand
 * (`aaaa…`), is public or guessable however long it is.
 */
export const SIGNING_SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'DOCUTHINKER_JWT_SECRET',
  'DOCUTHINKER_SERVICE_TOKEN',
]);

/** `openssl rand -hex 32` gives 16 distinct characters but for about one value in 10^26. */
const MIN_DISTINCT_CHARACTERS = 10;

/** What gives a signing secret away as not random; undefined for a value that may be. */
export function guessableSecretProblem(value: string): string | undefined {
  if (/change-?me/i.test(value)) return 'is a placeholder ("change-me…"), not a secret';
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    return `has fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters: not a random value`;
  }
  return undefined;
}

/** How to make one, for the problem's `expected`. */
export const RANDOM_SECRET_HINT = 'a random value of 32 characters or more (openssl rand -hex 32)';
