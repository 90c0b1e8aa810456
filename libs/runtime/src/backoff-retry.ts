/**
 * A timer that runs `attempt` again after a delay that doubles, from
 * `baseMs` up to `maxMs`, each time it is scheduled before a `reset`: for
 * work that must be done again until it holds (a write the store dropped).
 * The timer never keeps a stopping process alive, and `close` ends it.
 */
export class BackoffRetry {
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private closed = false;

  constructor(
    private readonly attempt: () => void,
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {
    this.delayMs = baseMs;
  }

  /** Runs `attempt` after the current delay, unless it is already due or the retry is closed. */
  schedule(): void {
    if (this.closed || this.timer !== undefined) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(delay * 2, this.maxMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt();
    }, delay);
    this.timer.unref();
  }

  /** After a success: the next `schedule` waits `baseMs` again. */
  reset(): void {
    this.delayMs = this.baseMs;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
