/**
 * Who is calling. The backend calls as the service and names the owner in
 * each request; a user's access token is its owner, whatever the request says.
 * A user token also says when it was issued: a password change or an account
 * deletion refuses the tokens issued before it (see token-revocation-check.ts).
 */
export type Principal =
  | { readonly kind: 'service' }
  | { readonly kind: 'user'; readonly ownerId: string; readonly issuedAtSeconds: number };
