import type { Logger } from '@docuthinker/runtime';
import type { ChatSessionStore } from '@docuthinker/stores';

const HOUR_MS = 60 * 60 * 1000;

export interface ExpiredChatSweeper {
  /** Stops sweeping; resolves once a sweep under way has finished. */
  stop(): Promise<void>;
}

/**
 * Removes expired conversations from the store, now and then every
 * `intervalMs`. Expired sessions already read as absent; this frees their
 * space. MongoDB's TTL index does the same by itself, but the embedded store
 * would otherwise keep every conversation ever held in its file.
 */
export function startExpiredChatSweeper(
  sessions: Pick<ChatSessionStore, 'purgeExpired'>,
  logger: Logger,
  intervalMs = HOUR_MS,
): ExpiredChatSweeper {
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= sessions
      .purgeExpired()
      .then(
        (removed) => {
          if (removed > 0) logger.info({ removed }, 'expired chat sessions removed');
        },
        (error: unknown) =>
          logger.warn({ error: (error as Error).message }, 'expired chat sessions not removed'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, intervalMs);
  // Never the reason the process stays up.
  timer.unref();
  sweep();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
