/**
 * The `Cache-Control` both services answer with unless a route sets its own:
 * their answers are one user's (documents, retrieval results, the tokens of
 * a login) or say how the service is now, and none is for a browser or a
 * proxy to keep (found in an exploratory test: no answer said so, and a
 * browser could keep a document's text on disk).
 */
export const NOT_FOR_CACHES = 'no-store';
