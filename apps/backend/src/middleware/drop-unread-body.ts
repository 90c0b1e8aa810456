import type { Socket } from 'node:net';
import type { Request } from 'express';

/**
 * How long the rest of a refused body is still read, and dropped, after
 * its 413 went out. A client is usually still sending when it is refused:
 * closing the connection then, with its bytes unread, resets it, and an
 * HTTP client (a browser, Node's) reports the reset instead of the 413. A
 * client that finishes within this keeps its connection; one still sending
 * after it is cut off, so a body of any declared size costs at most this
 * much reading (nginx lingers the same way).
 */
const LINGER_AFTER_REFUSAL_MS = 5_000;

/**
 * For a request refused on its body's size before the body was read (a
 * multipart upload, a JSON body whose declared length is over the limit):
 * once the answer is out, the rest of the body is dropped for
 * LINGER_AFTER_REFUSAL_MS at most, on a connection kept alive and on one
 * that closes after the answer alike.
 */
export function dropBodyAfterAnswer(req: Request): void {
  const socket = req.socket as Socket & { destroySoon: () => void };
  // A connection the client asked to close (or HTTP/1.0) is closed by Node
  // the moment the answer is out (`destroySoon`): sending our end of it is
  // right, dropping its unread bytes is what resets it. Only our end goes
  // here; the socket is destroyed once the client has sent the rest, or at
  // the cut-off. The socket's own method comes back once that is settled.
  const closeOurEnd = () => {
    socket.end();
  };
  socket.destroySoon = closeOurEnd;
  req.res?.once('finish', () => {
    const cutOff = setTimeout(() => socket.destroy(), LINGER_AFTER_REFUSAL_MS);
    cutOff.unref();
    const settle = () => {
      clearTimeout(cutOff);
      req.off('end', settle);
      socket.off('close', settle);
      if (socket.destroySoon === closeOurEnd) Reflect.deleteProperty(socket, 'destroySoon');
      // Closing: our end went with the answer, and nothing is left to read.
      if (!socket.writable) socket.destroy();
    };
    if (req.complete) {
      settle();
      return;
    }
    // Paused (unpiped from a parser, or never read): read on, keeping nothing.
    req.resume();
    req.once('end', settle);
    socket.once('close', settle);
  });
}
