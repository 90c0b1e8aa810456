// Types for resilience-report.mjs, so the TypeScript suites call it checked.
export interface ResilienceRow {
  scenario: string;
  expected: string;
  observed: string;
  requestsFailed: number;
  dataLost: number;
}

export function recordResilience(report: {
  suite: string;
  command: string;
  rows: ResilienceRow[];
  notes?: string[];
}): void;
