/** Paths of the gateway's v1 API, shared by the gateway's routes and the backend's client. */
export const GATEWAY_API = {
  task: (task: string) => `/ai/v1/tasks/${encodeURIComponent(task)}`,
  chat: '/ai/v1/chat',
  /** POST indexes a document; DELETE (`?ownerId=`) removes everything the owner has indexed. */
  index: '/ai/v1/index',
  indexedDocument: (documentId: string) => `/ai/v1/index/${encodeURIComponent(documentId)}`,
  search: '/ai/v1/search',
  ask: '/ai/v1/ask',
  relatedDocuments: (documentId: string) =>
    `/ai/v1/graph/documents/${encodeURIComponent(documentId)}/related`,
  entities: '/ai/v1/graph/entities',
  analyze: '/analyze',
} as const;

/**
 * How the backend authenticates to the gateway: `Authorization: Bearer` with
 * the shared service token (secret docuthinker/service-token). Browsers use
 * the same header with a user's access token instead.
 */
export const SERVICE_TOKEN_SCHEME = 'Bearer';

/**
 * An `Authorization` header of that scheme, and its token: the scheme in any
 * case, then spaces (RFC 9110's `1*SP`; a tab too). Both services read
 * headers with it, so a header one takes the other takes as well.
 */
export const BEARER_CREDENTIALS = /^Bearer[ \t]+(\S+)$/i;

/**
 * A JWS in compact serialization, to the letter (RFC 7515 §7.1): three
 * base64url parts without padding, joined by dots. The classes hold no dot,
 * so a match takes linear time.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Whether a bearer token is spelled as an access token can be: both services
 * check this before verifying a token as a JWT, and refuse anything else as
 * any invalid token. Node's base64url decoder skips characters outside the
 * alphabet, and jose decodes with it (panva/jose#589), so a valid token with
 * `!!!` or `==` appended, or a `*` inside its signature, verified as well:
 * anyone holding one token could spell it in endless ways, each verified in
 * full and then remembered by the verified-token caches, pushing real tokens
 * out. With this check a valid token has one spelling only.
 */
export function isCompactJws(token: string): boolean {
  if (!COMPACT_JWS.test(token)) return false;
  // The signature's last character may also carry bits no byte uses (an
  // HS256 signature is 32 bytes: 43 characters whose last holds two spare
  // bits), which decoding ignores, so four spellings verified. Only the
  // spelling its bytes encode to is taken. (Header and payload are signed as
  // written: another spelling of either fails the signature.)
  const signature = token.slice(token.lastIndexOf('.') + 1);
  return Buffer.from(signature, 'base64url').toString('base64url') === signature;
}

/** Claims of a user access token, issued by the backend and accepted by the gateway. */
export const ACCESS_TOKEN_ISSUER = 'docuthinker-backend';
export const ACCESS_TOKEN_AUDIENCE = 'docuthinker-api';
