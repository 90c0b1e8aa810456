import {
  DOCUMENT_ERROR_CODES,
  DOCUMENT_ERROR_HTTP_STATUS,
  DOCUMENT_ERROR_TITLES,
  DocumentError,
  isDocumentError,
} from '../src';

describe('DocumentError', () => {
  it('maps every code to its HTTP status and a title', () => {
    expect(DOCUMENT_ERROR_HTTP_STATUS).toEqual({
      DT_ERR_UNSUPPORTED_TYPE: 415,
      DT_ERR_FILE_TOO_LARGE: 413,
      DT_ERR_CORRUPT_FILE: 422,
      DT_ERR_ENCRYPTED_FILE: 422,
      DT_ERR_EMPTY_DOCUMENT: 422,
      DT_ERR_EXTRACTION_TIMEOUT: 422,
      DT_ERR_EXTRACTION_MEMORY: 422,
    });
    for (const code of DOCUMENT_ERROR_CODES) expect(DOCUMENT_ERROR_TITLES[code]).toMatch(/\w/);
  });

  it('carries code, status, limit and cause', () => {
    const cause = new Error('library detail');
    const error = new DocumentError('DT_ERR_FILE_TOO_LARGE', 'Too big.', {
      limit: 'maxPages',
      cause,
    });

    expect(error).toBeInstanceOf(Error);
    expect(isDocumentError(error)).toBe(true);
    expect(isDocumentError(cause)).toBe(false);
    expect(error).toMatchObject({
      name: 'DocumentError',
      code: 'DT_ERR_FILE_TOO_LARGE',
      status: 413,
      limit: 'maxPages',
      message: 'Too big.',
      cause,
    });
  });
});
