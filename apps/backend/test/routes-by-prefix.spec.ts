import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { routesByPrefix } from '../src/middleware/routes-by-prefix';

/** Runs the middleware for `path` and reports what reached `next` and which handlers ran. */
async function dispatch(handler: RequestHandler, path: string) {
  return new Promise<{ nextWith: unknown[] }>((resolve) => {
    const next = ((...args: unknown[]) => resolve({ nextWith: args })) as NextFunction;
    void handler({ path } as Request, {} as Response, next);
  });
}

describe('routesByPrefix', () => {
  const ran: string[] = [];
  const passOn =
    (name: string): RequestHandler =>
    (_req, _res, next) => {
      ran.push(name);
      next();
    };
  beforeEach(() => {
    ran.length = 0;
  });

  it('runs, in table order, only the entries whose prefixes cover the path', async () => {
    const handler = routesByPrefix([
      { prefixes: ['/health'], routes: passOn('health') },
      { prefixes: ['/api/me', '/api/documents'], routes: passOn('auth') },
      { prefixes: ['/api/documents'], routes: passOn('documents') },
      { prefixes: ['/api/documents', '/api/ai'], routes: passOn('ai') },
    ]);
    expect(await dispatch(handler, '/api/documents')).toEqual({ nextWith: [] });
    expect(ran).toEqual(['auth', 'documents', 'ai']);

    for (const [path, expected] of [
      ['/API/Documents/abc/ai/summary', ['auth', 'documents', 'ai']],
      ['/api/ai/summary', ['ai']],
      ['/api/documentsx', []],
      ['/api', []],
      ['/health/', ['health']],
      ['/healthz', []],
    ] as const) {
      ran.length = 0;
      await dispatch(handler, path);
      expect({ path, ran }).toEqual({ path, ran: expected });
    }
  });

  it('stops at the entry that answers, and passes errors and rejections straight on', async () => {
    const failure = new Error('refused');
    const answers: RequestHandler = () => {
      ran.push('answers');
    };
    const throwsAsync: RequestHandler = async () => {
      ran.push('rejects');
      throw failure;
    };
    const callsNextWithError: RequestHandler = (_req, _res, next) => {
      ran.push('errors');
      next(failure);
    };
    const skipsRoute: RequestHandler = (_req, _res, next) => {
      ran.push('route');
      next('route');
    };

    const answering = routesByPrefix([
      { prefixes: ['/a'], routes: answers },
      { prefixes: ['/a'], routes: passOn('after') },
    ]);
    const next = jest.fn();
    await answering({ path: '/a' } as Request, {} as Response, next);
    expect(ran).toEqual(['answers']);
    expect(next).not.toHaveBeenCalled();

    for (const first of [throwsAsync, callsNextWithError]) {
      ran.length = 0;
      const handler = routesByPrefix([
        { prefixes: ['/a'], routes: first },
        { prefixes: ['/a'], routes: passOn('after') },
      ]);
      expect(await dispatch(handler, '/a')).toEqual({ nextWith: [failure] });
      expect(ran).not.toContain('after');
    }

    ran.length = 0;
    const continuing = routesByPrefix([
      { prefixes: ['/a'], routes: skipsRoute },
      { prefixes: ['/a'], routes: passOn('after') },
    ]);
    expect(await dispatch(continuing, '/a')).toEqual({ nextWith: [] });
    expect(ran).toEqual(['route', 'after']);
  });
});
