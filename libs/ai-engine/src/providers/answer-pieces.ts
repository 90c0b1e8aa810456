import { wellFormedText } from '@docuthinker/contracts';
import type { AnswerOutput, AnswerRequest } from '../tasks/task-types';
import type { AiProvider, ProviderName, ProviderReply } from './ai-provider';

/** How one streamed answer ended. */
type Ending<R> = { readonly result: R } | { readonly error: unknown };

/**
 * A streamed answer's text on its way from the provider that writes it to
 * the reader of the stream. The chain fills it from each provider it asks in
 * turn; the first piece commits the answer to that provider (see
 * ProviderChain.streamAnswer). Pieces wait here while the reader is busy:
 * an answer is at most a model's output limit, a few kilobytes.
 */
export class AnswerPieces<R> {
  private readonly waiting: string[] = [];
  private ending?: Ending<R>;
  private wake: () => void = () => undefined;
  private provider?: ProviderName;
  private lastAt?: number;

  /** Whether the first piece has arrived: the answer can no longer change provider. */
  get started(): boolean {
    return this.provider !== undefined;
  }

  /** When the latest piece arrived (performance.now()); undefined before the first. */
  get lastPieceAt(): number | undefined {
    return this.lastAt;
  }

  /**
   * Asks `provider` for the answer, passing its pieces on as they come: the
   * provider's own stream where it has one, else its whole answer as one
   * piece. Resolves with the provider's reply once the answer is complete.
   */
  async fill(
    provider: AiProvider,
    request: AnswerRequest,
    signal: AbortSignal,
  ): Promise<ProviderReply<AnswerOutput>> {
    if (!provider.streamAnswer) {
      const reply = await provider.answer(request, signal);
      this.add(provider.name, reply.output.answer, signal);
      return reply;
    }
    const stream = provider.streamAnswer(request, signal);
    for (;;) {
      const step = await stream.next();
      if (step.done) return step.value;
      this.add(provider.name, step.value, signal);
    }
  }

  /**
   * Waits for the first piece, or for the answer to end without one; then
   * the reader takes the pieces from `read`. Rejects with the failure of an
   * answer that ended before its first piece: nothing was sent, so the
   * caller can still answer with an error status.
   */
  async opened(answered: Promise<R>, providerOf: (result: R) => ProviderName) {
    answered.then(
      (result) => this.end({ result }),
      (error: unknown) => this.end({ error }),
    );
    while (!this.started && !this.ending) await new Promise<void>((wake) => (this.wake = wake));
    if (!this.started && this.ending && 'error' in this.ending) throw this.ending.error;
    const provider = this.provider ?? providerOf((this.ending as { readonly result: R }).result);
    return { provider, pieces: this.read() };
  }

  private async *read(): AsyncGenerator<string, R, undefined> {
    for (;;) {
      const piece = this.waiting.shift();
      if (piece !== undefined) {
        yield piece;
        continue;
      }
      if (this.ending) {
        if ('error' in this.ending) throw this.ending.error;
        return this.ending.result;
      }
      await new Promise<void>((wake) => (this.wake = wake));
    }
  }

  private add(provider: ProviderName, text: string, signal: AbortSignal): void {
    // An attempt that was given up on (its timeout, the client leaving) may
    // still have a piece in hand: it is not this answer's.
    if (signal.aborted) throw signal.reason;
    if (text === '') return;
    this.provider ??= provider;
    this.lastAt = performance.now();
    this.waiting.push(wellFormedText(text));
    this.wake();
  }

  private end(ending: Ending<R>): void {
    this.ending = ending;
    this.wake();
  }
}
