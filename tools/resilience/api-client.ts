import { randomBytes } from 'node:crypto';

/**
 * Every request of the suite gives up after this long: a hang counts as a
 * failure, not a stall. Generous, because a busy 2-core machine can take
 * seconds for one upload; nginx gives up on a backend after 30 s.
 */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly ms: number;
}

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
}

export interface DocumentView {
  readonly id: string;
  readonly indexStatus: 'pending' | 'indexed' | 'failed';
}

/** One HTTP call to the platform; network errors and timeouts throw. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the failure message
  }
  return {
    status: response.status,
    headers: response.headers,
    body,
    ms: performance.now() - started,
  };
}

export async function register(baseUrl: string, label: string): Promise<Account> {
  const email = `${label}-${randomBytes(4).toString('hex')}@resilience.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const answer = await call(baseUrl, 'POST', '/api/auth/register', { json: { email, password } });
  if (answer.status !== 201) {
    throw new Error(`register ${email}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const body = answer.body as { user: { id: string }; accessToken: string };
  return { id: body.user.id, email, password, token: body.accessToken };
}

/** `count` accounts, registered one after another (password hashing is CPU-bound anyway). */
export async function registerMany(
  baseUrl: string,
  label: string,
  count: number,
): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let index = 0; index < count; index += 1)
    accounts.push(await register(baseUrl, `${label}-${index}`));
  return accounts;
}

const TOPICS = [
  'harbour logistics',
  'solar inverters',
  'medieval trade routes',
  'coral reef ecology',
  'railway signalling',
  'glacier retreat',
];

/** A small document with distinct wording, so chunks and key phrases differ per upload. */
export function documentText(serial: number): { title: string; text: string } {
  const topic = TOPICS[serial % TOPICS.length] ?? 'resilience';
  const marker = `marker${serial}x${randomBytes(3).toString('hex')}`;
  const sentences = [
    `This report number ${serial} studies ${topic} and records the identifier ${marker}.`,
    `Field teams measured ${topic} over several seasons and compared the results with older surveys.`,
    `The main finding is that careful maintenance of ${topic} reduces failures by a wide margin.`,
    `Costs rose during the second year, mostly because of staffing and equipment repairs.`,
    `The authors recommend a yearly review of ${topic} and a shared register of incidents.`,
  ];
  return { title: `Report ${serial} on ${topic}`, text: sentences.join(' ') };
}

export function uploadJson(baseUrl: string, token: string, serial: number): Promise<ApiAnswer> {
  return call(baseUrl, 'POST', '/api/documents', { token, json: documentText(serial) });
}

/** Every document id of the account, following the cursor. */
export async function listAllDocuments(baseUrl: string, token: string): Promise<DocumentView[]> {
  const items: DocumentView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const answer = await call(baseUrl, 'GET', `/api/documents?limit=100${query}`, { token });
    if (answer.status !== 200) throw new Error(`list documents: HTTP ${answer.status}`);
    const page = answer.body as { items: DocumentView[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export function problemCode(answer: ApiAnswer): string | undefined {
  const body = answer.body as { code?: unknown } | undefined;
  return typeof body?.code === 'string' ? body.code : undefined;
}
