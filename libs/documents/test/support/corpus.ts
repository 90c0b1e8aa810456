import { corpusFile } from '@docuthinker/testing';

export function readCorpusFile(name: string): Uint8Array {
  return new Uint8Array(corpusFile(name));
}
