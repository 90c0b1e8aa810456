import type { RequestHandler } from 'express';
import { headerChangesOf } from '../src/header-changes';

describe('headerChangesOf', () => {
  it('records the headers a middleware sets and removes, last write winning', () => {
    const middleware: RequestHandler = (_req, res, next) => {
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('x-frame-options', 'SAMEORIGIN');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.removeHeader('X-Powered-By');
      next();
    };
    expect(headerChangesOf(middleware)).toEqual({
      set: [
        ['x-frame-options', 'SAMEORIGIN'],
        ['X-Content-Type-Options', 'nosniff'],
      ],
      removed: ['x-powered-by'],
    });
  });

  it('refuses a middleware whose headers differ between requests', () => {
    let counter = 0;
    const withNonce: RequestHandler = (_req, res, next) => {
      counter += 1;
      res.setHeader('Content-Security-Policy', `script-src 'nonce-${counter}'`);
      next();
    };
    expect(() => headerChangesOf(withNonce)).toThrow(/different headers/);
  });

  it('refuses a middleware that does not call next() synchronously, or fails', () => {
    const later: RequestHandler = (_req, _res, next) => {
      setImmediate(next);
    };
    const failing: RequestHandler = (_req, _res, next) => next(new Error('bad option'));
    expect(() => headerChangesOf(later)).toThrow(/synchronously/);
    expect(() => headerChangesOf(failing)).toThrow(/synchronously/);
  });
});
