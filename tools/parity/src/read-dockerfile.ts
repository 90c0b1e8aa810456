import { durationSeconds, execFormCommand, healthTiming } from './container-hardening';
import type { ContainerView } from './parity-model';

/** Instructions with their continuation lines joined; comments dropped. */
function instructions(text: string): string[] {
  const joined = text
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\r?\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * What the runtime stage of a service Dockerfile promises: exposed ports, the
 * HEALTHCHECK command and the environment it sets (only the last stage counts).
 */
export function readDockerfile(name: string, text: string): ContainerView {
  const all = instructions(text);
  const lastFrom = all.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
  const runtime = all.slice(Math.max(lastFrom, 0));
  const ports: number[] = [];
  const environment: Record<string, string> = {};
  const healthChecks: string[] = [];
  let user: string | undefined;
  let healthCommand: string | undefined;
  let timing: string | undefined;
  for (const line of runtime) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const argument = rest.join(' ');
    switch (keyword.toUpperCase()) {
      case 'EXPOSE':
        ports.push(...rest.map((port) => Number(port.split('/')[0])));
        break;
      case 'ENV':
        for (const match of argument.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
          if (match[1] !== undefined)
            environment[match[1]] = (match[2] ?? '').replace(/^"|"$/g, '');
        }
        break;
      case 'HEALTHCHECK': {
        healthChecks.push(argument);
        const check = readHealthcheck(argument);
        healthCommand = check.command;
        timing = check.timing;
        break;
      }
      case 'USER':
        user = argument;
        break;
    }
  }
  return {
    name,
    ports,
    healthChecks,
    probePaths: [],
    environment,
    secrets: {},
    mountPaths: [],
    command: [],
    user,
    healthCommand,
    healthTiming: timing,
  };
}

/** `HEALTHCHECK [--flag=value …] CMD ["exec", "form"]` (or a shell-form command). */
function readHealthcheck(argument: string): { command: string; timing: string } {
  const flags = new Map<string, string>();
  let rest = argument.trim();
  for (
    let flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
    flag;
    flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest)
  ) {
    flags.set(flag[1] as string, flag[2] as string);
    rest = rest.slice(flag[0].length);
  }
  const execForm = /^CMD\s+(\[[\s\S]*\])$/.exec(rest);
  const command = execForm
    ? execFormCommand(['CMD', ...(JSON.parse(execForm[1] as string) as string[])])
    : rest.replace(/^CMD\s+/, 'CMD-SHELL ');
  const timing = healthTiming({
    interval: durationSeconds(flags.get('interval') ?? '30s'),
    timeout: durationSeconds(flags.get('timeout') ?? '30s'),
    retries: Number(flags.get('retries') ?? 3),
    startPeriod: durationSeconds(flags.get('start-period') ?? '0s'),
  });
  return { command, timing };
}
