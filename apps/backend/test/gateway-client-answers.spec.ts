import type { ServerResponse } from 'node:http';
import { createGatewayClient } from '../src/gateway/gateway-client';
import { GatewayUnavailableError } from '../src/gateway/gateway-errors';
import { sendJson, startScriptedGateway, type ScriptedGateway } from './support/scripted-gateway';
import { SERVICE_TOKEN } from './support/start-backend';

const MAX_ANSWER_BYTES = 1024 * 1024;

/** Writes `totalBytes` of a JSON string as fast as the client reads; resolves with what it sent. */
function streamLongAnswer(res: ServerResponse, totalBytes: number): Promise<number> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"hits":"');
    const writeMore = () => {
      while (sent < totalBytes && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', writeMore);
          return;
        }
      }
      if (!res.destroyed) res.end('"}');
    };
    res.once('close', () => resolve(sent));
    writeMore();
  });
}

async function failureOf(call: Promise<unknown>): Promise<GatewayUnavailableError> {
  const error: unknown = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayUnavailableError);
  return error as GatewayUnavailableError;
}

describe("the backend reading the gateway's answers", () => {
  let gateway: ScriptedGateway;
  const clientWith = (failuresToOpen: number) =>
    createGatewayClient({
      baseUrl: gateway.url,
      serviceToken: SERVICE_TOKEN,
      failuresToOpen,
      halfOpenAfterMs: 60_000,
      maxAnswerBytes: MAX_ANSWER_BYTES,
    });

  beforeEach(async () => {
    gateway = await startScriptedGateway();
  });
  afterEach(() => gateway.stop());

  it('stops reading an answer longer than it takes, and counts it as an outage', async () => {
    let sent: Promise<number> = Promise.resolve(0);
    gateway.answer = (_request, res) => {
      sent = streamLongAnswer(res, 256 * MAX_ANSWER_BYTES);
    };
    const client = clientWith(1);
    const failure = await failureOf(client.search({ ownerId: 'owner-1', query: 'q' }));
    expect(failure.reason).toBe(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
    // The connection was dropped: far less than the 256 MiB answer was sent.
    expect(await sent).toBeLessThan(64 * MAX_ANSWER_BYTES);
    // It counted: the breaker (one failure to open) now refuses without a call.
    await failureOf(client.search({ ownerId: 'owner-1', query: 'q' }));
    expect(gateway.calls).toHaveLength(1);
  });

  it('refuses an answer whose declared length is over the limit before reading it', async () => {
    gateway.answer = (_request, res) => {
      const body = JSON.stringify({ hits: [], padding: 'a'.repeat(MAX_ANSWER_BYTES) });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    const failure = await failureOf(clientWith(5).search({ ownerId: 'owner-1', query: 'q' }));
    expect(failure.reason).toBe(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
  });

  it('counts 2xx answers outside the contract towards the breaker', async () => {
    gateway.answer = (_request, res) => sendJson(res, 200, { results: 'not the contract' });
    const client = clientWith(2);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const failure = await failureOf(client.ask({ ownerId: 'owner-1', question: 'Why?' }));
      expect(failure.reason).toBe('answer does not match the contract');
    }
    // A gateway of another version fails every call alike: after two, the
    // breaker answers at once instead of sending a third.
    const refused = await failureOf(client.ask({ ownerId: 'owner-1', question: 'Why?' }));
    expect(refused.reason).toBe('circuit open after repeated failures');
    expect(gateway.calls).toHaveLength(2);
  });

  it('still reads answers within the limit', async () => {
    const client = clientWith(1);
    await expect(client.search({ ownerId: 'owner-1', query: 'q' })).resolves.toEqual({ hits: [] });
  });
});
