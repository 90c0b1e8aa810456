import { DocumentError } from './document-error';

/**
 * Validates JSON without letting hostile input cost much: nesting is
 * measured in one linear pass before JSON.parse ever sees the text.
 */
export function checkJsonDocument(text: string, maxDepth: number): void {
  if (nestingDepthExceeds(text, maxDepth)) {
    throw new DocumentError(
      'DT_ERR_CORRUPT_FILE',
      `The JSON document is nested more than ${maxDepth} levels deep and was rejected.`,
    );
  }
  try {
    JSON.parse(text);
  } catch {
    // The parser's own message quotes the input, so it is not passed on.
    throw new DocumentError('DT_ERR_CORRUPT_FILE', 'The file is not valid JSON.');
  }
}

/** True when `text` parses as JSON within the nesting limit. */
export function isJsonDocument(text: string, maxDepth: number): boolean {
  try {
    checkJsonDocument(text, maxDepth);
    return true;
  } catch {
    return false;
  }
}

function nestingDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c /* \ */) index += 1;
      else if (character === 0x22 /* " */) inString = false;
    } else if (character === 0x22) {
      inString = true;
    } else if (character === 0x7b /* { */ || character === 0x5b /* [ */) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (character === 0x7d /* } */ || character === 0x5d /* ] */) {
      depth -= 1;
    }
  }
  return false;
}
