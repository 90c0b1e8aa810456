// One HTTP request over node:http rather than fetch: fetch normalises or
// refuses exactly what a fuzzer wants to send (raw percent sequences in the
// path, odd methods, any Content-Type on a GET, streamed bodies).
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** How much of each answer is kept: enough for a problem+json body. */
const KEEP_BYTES = 64 * 1024;

/**
 * Sends one request. `body` is a string, a Buffer or an async iterable of
 * Buffers (streamed, never collected). Resolves with the status, headers and
 * the first 64 KiB of the body; transport failures resolve with `error`.
 */
export async function rawRequest(baseUrl, options) {
  const answer = await sendOnce(baseUrl, options);
  // A keep-alive socket the server closed just as it was reused fails before
  // the server saw anything; HTTP clients retry that once, and so does this.
  const replayable =
    options.body === undefined || typeof options.body === 'string' || Buffer.isBuffer(options.body);
  if (answer.staleSocket && replayable) return sendOnce(baseUrl, options);
  return answer;
}

function sendOnce(baseUrl, { method, path, headers = {}, body, timeoutMs = 30000 }) {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    // Node frames a GET/DELETE/OPTIONS body neither by length nor by chunks:
    // unframed, it would be read as the start of the next request on the socket.
    const framed =
      (typeof body === 'string' || Buffer.isBuffer(body)) &&
      !Object.keys(headers).some((name) => /^(content-length|transfer-encoding)$/i.test(name))
        ? { ...headers, 'content-length': String(Buffer.byteLength(body)) }
        : headers;
    let req;
    try {
      req = request({
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: framed,
        agent,
        timeout: timeoutMs,
      });
    } catch (error) {
      // node refuses to send some inputs at all (e.g. a control character in
      // the path): the server never saw it, so it is not a verdict.
      settle({ status: 0, refusedLocally: true, error: error.message });
      return;
    }
    let answered;
    const chunks = [];
    req.on('response', (res) => {
      answered = res;
      let kept = 0;
      res.on('data', (chunk) => {
        if (kept < KEEP_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      res.on('end', () =>
        settle({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', (error) =>
        settle({ status: res.statusCode, headers: res.headers, error: error.message }),
      );
    });
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    // A server may answer (413) and close while the body is still being
    // written; the answer counts, the write error after it does not.
    req.on('error', (error) =>
      settle(
        answered
          ? { status: answered.statusCode, headers: answered.headers, body: Buffer.concat(chunks) }
          : { status: 0, error: error.message, staleSocket: req.reusedSocket && !answered },
      ),
    );
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    (async () => {
      try {
        for await (const chunk of body) {
          if (req.destroyed) return;
          if (!req.write(chunk)) {
            await new Promise((r) => {
              const done = () => {
                req.off('drain', done);
                req.off('close', done);
                r();
              };
              req.on('drain', done);
              req.on('close', done);
            });
          }
        }
        req.end();
      } catch (error) {
        req.destroy(error);
      }
    })();
  });
}

/** Parses a kept body as JSON, or undefined. */
export function jsonOf(answer) {
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** JSON requests for the suites' own set-up calls. */
export async function callJson(baseUrl, method, path, { token, body, headers = {} } = {}) {
  const answer = await rawRequest(baseUrl, {
    method,
    path,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ...answer, json: answer.body ? jsonOf(answer) : undefined };
}
