import { InvalidCursorError } from '../shared/errors';

/**
 * The position after the last item of a page, in a list's order (a time
 * descending, then id descending): documents by creation, chat sessions by
 * their latest activity.
 */
export interface PagePosition {
  readonly atMs: number;
  readonly id: string;
}

/**
 * Which time a list is ordered by. A cursor says which: one of another list,
 * or of a build that ordered the same list otherwise (chat sessions were
 * listed by creation), would select nothing or the wrong page, so it is
 * refused instead. Creation cursors keep the untagged spelling they always had.
 */
export type PageOrder = 'created' | 'latest-activity';

const ORDER_TAGS: Record<PageOrder, string> = { created: '', 'latest-activity': 'a' };

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The range of a JavaScript Date (ECMA-262: ±100,000,000 days around 1970), in ms. */
const LATEST_DATE_MS = 8.64e15;

/** A time a store can have written: a Date's, and not before 1970. */
function isStoredTime(atMs: number): boolean {
  return Number.isSafeInteger(atMs) && atMs >= 0 && atMs <= LATEST_DATE_MS;
}

export function encodePageCursor(position: PagePosition, order: PageOrder = 'created'): string {
  return Buffer.from(`${ORDER_TAGS[order]}${position.atMs}:${position.id}`, 'utf8').toString(
    'base64url',
  );
}

/** Throws `InvalidCursorError` for anything `encodePageCursor` could not have produced for `order`. */
export function decodePageCursor(cursor: string, order: PageOrder = 'created'): PagePosition {
  const tagged = Buffer.from(cursor, 'base64url').toString('utf8');
  const tag = ORDER_TAGS[order];
  if (!tagged.startsWith(tag)) throw new InvalidCursorError();
  const decoded = tagged.slice(tag.length);
  const separator = decoded.indexOf(':');
  const atMs = Number(decoded.slice(0, separator));
  const id = decoded.slice(separator + 1);
  // A time out of a Date's range made MongoDB's filter an invalid date
  // (found in an exploratory test), which the embedded store only compared.
  if (separator < 1 || !isStoredTime(atMs) || !ID_PATTERN.test(id)) {
    throw new InvalidCursorError();
  }
  const position = { atMs, id };
  // Base64url decoding skips stray characters and `0001` reads as `1`: only
  // the one spelling the store hands out is a cursor, so one position has
  // one cursor (the listing cache is keyed on it).
  if (encodePageCursor(position, order) !== cursor) throw new InvalidCursorError();
  return position;
}

const MAX_PAGE_SIZE = 100;

export function clampPageSize(limit: number): number {
  if (!Number.isFinite(limit)) return MAX_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

/** How a list other than by creation finds a row's place in its order. */
export interface PageOrdering<R, I> {
  readonly order: PageOrder;
  readonly positionOf: (row: R, item: I) => PagePosition;
}

/**
 * A page from rows fetched with `limit + 1`: the extra row, when present,
 * only says there is a next page, whose cursor is the last row's position
 * (by default its item's creation time and id).
 */
export function pageFromRows<R, I extends { readonly createdAt: Date; readonly id: string }>(
  rows: readonly R[],
  limit: number,
  toItem: (row: R) => I,
  ordering: PageOrdering<R, I> = {
    order: 'created',
    positionOf: (_row, item) => ({ atMs: item.createdAt.getTime(), id: item.id }),
  },
): { items: I[]; nextCursor: string | null } {
  const kept = rows.slice(0, limit);
  const items = kept.map(toItem);
  const lastRow = kept.at(-1);
  const lastItem = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && lastRow !== undefined && lastItem !== undefined
        ? encodePageCursor(ordering.positionOf(lastRow, lastItem), ordering.order)
        : null,
  };
}
