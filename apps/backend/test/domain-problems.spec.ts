import { DocumentError, ExtractionBusyError } from '@docuthinker/documents';
import { MongoClient } from 'mongodb';
import { problemFromDomainError } from '../src/middleware/domain-problems';
import { AccountGoneError, FileStoreUnavailableError } from '../src/services/service-errors';

describe('problemFromDomainError', () => {
  it('answers a full extraction queue 503 DT_ERR_BUSY with Retry-After: the server, not the file, is at fault', () => {
    const problem = problemFromDomainError(new ExtractionBusyError(5));
    expect(problem).toMatchObject({ code: 'DT_ERR_BUSY', status: 503 });
    expect(problem?.extras.headers).toEqual({ 'Retry-After': '5' });
  });

  it('answers a parse that outgrew its memory bound 422 DT_ERR_EXTRACTION_MEMORY', () => {
    const problem = problemFromDomainError(
      new DocumentError('DT_ERR_EXTRACTION_MEMORY', 'Needed too much memory.'),
    );
    expect(problem).toMatchObject({ code: 'DT_ERR_EXTRACTION_MEMORY', status: 422 });
  });

  it('answers a request whose account was erased while it ran 401 DT_ERR_UNAUTHENTICATED', () => {
    const problem = problemFromDomainError(new AccountGoneError());
    expect(problem).toMatchObject({ code: 'DT_ERR_UNAUTHENTICATED', status: 401 });
    expect(problem?.extras.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it('answers a file store outage 503 DT_ERR_STORAGE_UNAVAILABLE with Retry-After, saying what to do', () => {
    const upload = problemFromDomainError(new FileStoreUnavailableError('write', new Error('x')));
    expect(upload).toMatchObject({ code: 'DT_ERR_STORAGE_UNAVAILABLE', status: 503 });
    expect(upload?.detail).toMatch(/Nothing was stored/);
    const erasure = problemFromDomainError(new FileStoreUnavailableError('erase', new Error('x')));
    expect(erasure).toMatchObject({ code: 'DT_ERR_STORAGE_UNAVAILABLE', status: 503 });
    expect(erasure?.detail).toMatch(/send the same request again/);
    expect(erasure?.extras.headers).toEqual({ 'Retry-After': '10' });
  });

  // Found in review: with MongoDB down or failing over, every request was 500 DT_ERR_INTERNAL.
  it('answers a database out of reach 503 DT_ERR_STORAGE_UNAVAILABLE with Retry-After', async () => {
    // The driver's own error for a server it cannot reach (nothing listens on port 9).
    const client = new MongoClient('mongodb://127.0.0.1:9/docuthinker', {
      serverSelectionTimeoutMS: 200,
    });
    const error = await client
      .db()
      .collection('users')
      .findOne({})
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    await client.close();
    const problem = problemFromDomainError(error);
    expect(problem).toMatchObject({ code: 'DT_ERR_STORAGE_UNAVAILABLE', status: 503 });
    expect(problem?.detail).toMatch(/send the same request again/);
    expect(problem?.extras.headers).toEqual({ 'Retry-After': '5' });
  });

  it('leaves anything it does not know to the error handler (a bug, 500)', () => {
    expect(problemFromDomainError(new Error('unexpected'))).toBeUndefined();
  });
});
