import { codePointBoundary } from '@docuthinker/contracts';
import type { ChatTurn } from './chat-service';

/** What follows the reply: its citations, and which provider answered and whether it was a fallback. */
export type ChatTurnEnd = Omit<ChatTurn, 'reply' | 'sessionId'>;

/** A chat reply in the order a client renders it: the text in pieces, then its end. */
export type ChatReplyEvent =
  | { readonly event: 'delta'; readonly data: { readonly text: string } }
  | { readonly event: 'done'; readonly data: ChatTurnEnd };

export interface ChatReplyStream {
  /**
   * Named before the reply: the session its turn is stored in once the
   * reply is done. A new session exists only from then on; a reply that
   * breaks off leaves none.
   */
  readonly sessionId: string;
  /** Ends with `done` once the turn is stored; throws when the reply or its storing fails. */
  readonly events: AsyncGenerator<ChatReplyEvent, void, undefined>;
}

/** Roughly a few words per event: the client renders the reply as it arrives. */
const PIECE_CHARS = 48;

/** A reply already stored, as the events a streamed one sends. */
export async function* finishedReplyEvents({
  reply,
  sessionId: _sessionId,
  ...end
}: ChatTurn): AsyncGenerator<ChatReplyEvent, void, undefined> {
  for (let start = 0; start < reply.length;) {
    // Never inside a surrogate pair: half an emoji in each of two events is
    // not text, and strict JSON decoders (Python's) refuse it.
    const stop = codePointBoundary(reply, start, Math.min(start + PIECE_CHARS, reply.length));
    yield { event: 'delta', data: { text: reply.slice(start, stop) } };
    start = stop;
  }
  yield { event: 'done', data: end };
}
