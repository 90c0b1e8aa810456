/**
 * Reads Chroma's own REST API (v2) to count what actually reached the vector
 * index, rather than trusting the backend's `indexStatus`.
 */
const DATABASE = '/api/v2/tenants/default_tenant/databases/default_database';

async function chromaJson(url: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${DATABASE}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok)
    throw new Error(`chroma ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Distinct document ids with at least one chunk in Chroma for this owner, over every collection. */
export async function documentsInChroma(url: string, ownerId: string): Promise<Set<string>> {
  const collections = (await chromaJson(url, '/collections')) as { id: string }[];
  const documents = new Set<string>();
  for (const collection of collections) {
    const records = (await chromaJson(url, `/collections/${collection.id}/get`, {
      where: { ownerId },
      include: ['metadatas'],
    })) as { metadatas: ({ documentId?: unknown } | null)[] };
    for (const metadata of records.metadatas) {
      if (typeof metadata?.documentId === 'string') documents.add(metadata.documentId);
    }
  }
  return documents;
}
