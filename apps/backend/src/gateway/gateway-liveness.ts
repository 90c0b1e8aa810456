/** How long one answer of /health is reused by the calls that ask. */
const ANSWER_REUSED_MS = 1000;

/** A call's watch: aborted once the gateway, asked while the call waits, does not answer. */
export interface LivenessWatch {
  readonly signal: AbortSignal;
  stop(): void;
}

/**
 * Whether the gateway process answers at all, asked through its `/health`
 * (liveness: it touches no store or provider). A call to the gateway may
 * rightly wait up to its timeout (an LLM answer, a large account's purge),
 * so a gateway that stopped answering (SIGSTOPped, its event loop stuck, a
 * network path that black-holes) kept every call waiting the whole 50 s: six
 * users' AI requests answered 503 after 50 s each, and the breaker, which
 * counts a failure only when a call ends, opened only then. Each call now
 * asks at intervals while it waits: one /health at a time for all of them,
 * its answer reused for a second; any HTTP answer means alive.
 */
export class GatewayLiveness {
  private asking: Promise<boolean> | undefined;
  private lastAnswer: { alive: boolean; at: number } | undefined;

  constructor(
    private readonly healthUrl: string,
    private readonly timeoutMs: number,
  ) {}

  /** Whether /health answered within the timeout. */
  isAlive(): Promise<boolean> {
    const last = this.lastAnswer;
    if (last && performance.now() - last.at < ANSWER_REUSED_MS) return Promise.resolve(last.alive);
    this.asking ??= fetch(this.healthUrl, { signal: AbortSignal.timeout(this.timeoutMs) })
      .then(
        async (answer) => {
          await answer.body?.cancel();
          return true;
        },
        () => false,
      )
      .then((alive) => {
        this.lastAnswer = { alive, at: performance.now() };
        this.asking = undefined;
        return alive;
      });
    return this.asking;
  }

  /** Asks every `everyMs` while a call waits; the signal aborts when the gateway does not answer. */
  watch(everyMs: number): LivenessWatch {
    const controller = new AbortController();
    const timer = setInterval(() => {
      void this.isAlive().then((alive) => {
        if (!alive && !controller.signal.aborted) {
          clearInterval(timer);
          controller.abort(
            new Error(`the gateway did not answer /health within ${this.timeoutMs} ms`),
          );
        }
      });
    }, everyMs);
    timer.unref();
    return { signal: controller.signal, stop: () => clearInterval(timer) };
  }
}
