import type { Clock } from '../../src/shared/clock';

/** A clock that moves only when told, so expiry and leases are tested without sleeping. */
export class ManualClock {
  private currentMs: number;

  /**
   * Starts at the real time so that a server-side expiry (MongoDB's TTL
   * monitor) never removes records the test still expects to read.
   */
  constructor(start = Math.floor(Date.now() / 1000) * 1000) {
    this.currentMs = start;
  }

  readonly now: Clock = () => new Date(this.currentMs);

  advance(ms: number): void {
    this.currentMs += ms;
  }
}
