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
      case 'HEALTHCHECK':
        healthChecks.push(argument);
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
  };
}
