import { call, uploadJson, type Account, type ApiAnswer } from './api-client';
import type { LoadOperation } from './load-generator';

/** Uploads acknowledged with 201 during a load phase, to look for afterwards. */
export class AcknowledgedWrites {
  readonly ids = new Set<string>();

  add(answer: ApiAnswer): void {
    const id = (answer.body as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') this.ids.add(id);
  }

  /** How many acknowledged ids are not in `present`. */
  missingFrom(present: Iterable<string>): number {
    const found = new Set(present);
    return [...this.ids].filter((id) => !found.has(id)).length;
  }
}

/** A documentation address (TEST-NET-3) per request, so per-IP login limits stay out of the way. */
function clientAddress(serial: number): string {
  return `203.0.113.${(serial % 250) + 1}`;
}

/**
 * The traffic a user of the platform makes that needs neither Redis nor the
 * gateway to answer: listing, reading, uploading, the profile, logging in and
 * liveness. Every one must succeed whatever happens to the cache or the AI tier.
 */
export function everydayOperations(
  baseUrl: () => string,
  account: Account,
  seededDocumentId: string,
  /**
   * Who logs in, taken in turn. Several, because the per-email limit counts
   * attempts as they start: more than five logins in flight for one email
   * are rightly refused, and a user does not log in five times at once.
   */
  loginAccounts: readonly Account[],
  uploads: AcknowledgedWrites,
): LoadOperation[] {
  const token = account.token;
  return [
    {
      name: 'list documents',
      send: () => call(baseUrl(), 'GET', '/api/documents?limit=20', { token }),
      accept: (answer) => answer.status === 200,
    },
    {
      name: 'read document',
      send: () => call(baseUrl(), 'GET', `/api/documents/${seededDocumentId}`, { token }),
      accept: (answer) => answer.status === 200,
    },
    {
      name: 'upload',
      send: (serial) => uploadJson(baseUrl(), token, serial),
      accept: (answer) => answer.status === 201,
      onAccepted: (answer) => uploads.add(answer),
    },
    {
      name: 'profile',
      send: () => call(baseUrl(), 'GET', '/api/me', { token }),
      accept: (answer) => answer.status === 200,
    },
    {
      name: 'title search',
      send: () => call(baseUrl(), 'GET', '/api/documents/search?q=report&mode=title', { token }),
      accept: (answer) => answer.status === 200,
    },
    {
      name: 'login',
      send: (serial) =>
        call(baseUrl(), 'POST', '/api/auth/login', {
          json: {
            email: loginAccounts[serial % loginAccounts.length]?.email,
            password: loginAccounts[serial % loginAccounts.length]?.password,
          },
          headers: { 'x-forwarded-for': clientAddress(serial) },
        }),
      accept: (answer) => answer.status === 200,
    },
    {
      name: 'health',
      send: () => call(baseUrl(), 'GET', '/health'),
      accept: (answer) => answer.status === 200,
    },
  ];
}
