/**
 * Who is calling. The backend calls as the service and names the owner in
 * each request; a user's access token is its owner, whatever the request says.
 */
export type Principal =
  { readonly kind: 'service' } | { readonly kind: 'user'; readonly ownerId: string };
