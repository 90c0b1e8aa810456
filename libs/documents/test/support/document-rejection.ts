import { DocumentError } from '../../src';

/** The DocumentError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function documentRejection(promise: Promise<unknown>): Promise<DocumentError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentError);
    return error as DocumentError;
  }
  throw new Error('Expected a DocumentError, but the document was accepted');
}
