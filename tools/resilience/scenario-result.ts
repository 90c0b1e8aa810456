/** One row of docs/resilience.md plus the verdict the suite exits on. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly expected: string;
  readonly observed: string;
  readonly requestsFailed: number;
  readonly dataLost: number;
  /** Every broken expectation, in words; empty when the scenario passed. */
  readonly problems: readonly string[];
}

/** Collects broken expectations while a scenario runs, so one row names all of them. */
export class Expectations {
  readonly problems: string[] = [];

  check(holds: boolean, problem: string): boolean {
    if (!holds) this.problems.push(problem);
    return holds;
  }
}

export function passed(result: ScenarioResult): boolean {
  return result.problems.length === 0 && result.requestsFailed === 0 && result.dataLost === 0;
}
