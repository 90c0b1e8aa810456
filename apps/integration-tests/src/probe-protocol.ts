/**
 * What the runtime probe (a child process, see container-runtime-probe.ts)
 * is asked and answers. Kept apart from the probe itself so that reading an
 * answer does not load testcontainers.
 */
export interface ProbeRequest {
  /** Images a registry must supply (the stores). */
  readonly pulledImages: readonly string[];
  /** Images built on this machine (the two services); looked up, never pulled. */
  readonly builtImages: readonly string[];
  readonly runtimeTimeoutMs: number;
}

export type ProbeResult =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true;
      /** The engine testcontainers chose, for the log. */
      readonly runtime: string;
      /** Built images that are not on this machine. */
      readonly unbuiltImages: readonly string[];
    };

export const PROBE_REQUEST_ENV = 'DOCUTHINKER_IT_PROBE_REQUEST';
export const PROBE_RESULT_PREFIX = 'docuthinker-probe-result: ';
