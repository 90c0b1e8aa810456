const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;

/**
 * More values than any request to these services holds: the largest ones
 * are a chat of 100 messages or 500 document ids, a few hundred values; the
 * text itself is one string however long. The byte limits alone let through
 * an 11 MB body of 700,000 metadata keys, whose parse and validation held
 * the event loop for 1.2 s in the backend and 2–4 s in the gateway, every
 * other request waiting (found in review).
 */
export const MAX_JSON_BODY_VALUES = 10_000;

/** The detail of that body's 413, the same from both services. */
export const JSON_VALUE_BUDGET_REFUSAL = `The JSON body holds more than ${MAX_JSON_BODY_VALUES} values.`;

/** Whether the quote at `index` is escaped: an odd run of backslashes before it. */
function isEscaped(bytes: Buffer, index: number): boolean {
  let backslashes = 0;
  for (let at = index - 1; at >= 0 && bytes[at] === BACKSLASH; at -= 1) backslashes += 1;
  return backslashes % 2 === 1;
}

/**
 * Whether JSON bytes hold more than `budget` values, counted before they are
 * parsed: every `,`, `[` and `{` outside strings opens one more value (the
 * next member or element, or a container). Strings are skipped with the native
 * `indexOf`, so a long text costs a few jumps, not a byte-by-byte walk; the
 * count stops at the budget. Bytes that are not JSON are not judged here
 * (false): the parser refuses them with its own error.
 */
export function holdsMoreJsonValuesThan(bytes: Buffer, budget: number): boolean {
  let values = 0;
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index];
    if (byte === QUOTE) {
      let end = bytes.indexOf(QUOTE, index + 1);
      while (end !== -1 && isEscaped(bytes, end)) end = bytes.indexOf(QUOTE, end + 1);
      if (end === -1) return false;
      index = end + 1;
      continue;
    }
    if (byte === COMMA || byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      values += 1;
      if (values > budget) return true;
    }
    index += 1;
  }
  return false;
}
