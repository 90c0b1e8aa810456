import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shared corpus sits beside the repository (CI clones it there too). */
export const CORPUS_DIR = join(__dirname, '../../../../../shared/corpus');

export function corpusFile(name: string): Buffer {
  return readFileSync(join(CORPUS_DIR, name));
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A thin fetch wrapper: JSON in, parsed JSON (or problem+json) out. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    init: { json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(init.json);
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = Record<string, unknown>>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, headers ? { headers } : {});
  }
  post<T = Record<string, unknown>>(path: string, json?: unknown) {
    return this.request<T>('POST', path, json === undefined ? {} : { json });
  }
  patch<T = Record<string, unknown>>(path: string, json: unknown) {
    return this.request<T>('PATCH', path, { json });
  }
  put<T = Record<string, unknown>>(path: string, json: unknown) {
    return this.request<T>('PUT', path, { json });
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }

  async upload(file: Buffer, filename: string, fields: Record<string, string> = {}, type?: string) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([file], type ? { type } : {}), filename);
    return this.request('POST', '/api/documents', { body: form });
  }

  /** Waits until the document's index job has run: its `indexStatus` is `indexed`. */
  async untilIndexed(documentId: string): Promise<void> {
    await eventually(async () => {
      const document = await this.get<{ indexStatus: string }>(`/api/documents/${documentId}`);
      return document.body.indexStatus === 'indexed' ? true : undefined;
    });
  }

  /** Registers a fresh account and returns a client acting as it. */
  async registerUser(email: string, password = 'correct horse battery'): Promise<ApiClient> {
    const answer = await this.post<{ accessToken: string }>('/api/auth/register', {
      email,
      password,
    });
    if (answer.status !== 201) throw new Error(`register failed: ${answer.status} ${answer.text}`);
    return this.as(answer.body.accessToken);
  }
}

let counter = 0;
/** Unique per test run, so suites never collide on an email. */
export function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}@example.com`;
}

export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function expectProblem(answer: ApiAnswer, status: number, code: string): void {
  expect({
    status: answer.status,
    code: (answer.body as { code?: string } | undefined)?.code,
  }).toEqual({
    status,
    code,
  });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.text).not.toMatch(/at .+\.(js|ts):\d+/);
}
