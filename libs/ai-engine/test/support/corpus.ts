export { corpusText } from '@docuthinker/testing';
