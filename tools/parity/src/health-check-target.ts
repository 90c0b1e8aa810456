/** What a health-check command probes, read from its text. */
export interface HealthCheckTarget {
  readonly port?: number;
  readonly path?: string;
}

/**
 * Understands the probes used here: an HTTP URL (node's fetch, python's
 * urllib, wget, curl) and bash's /dev/tcp/<host>/<port>.
 */
export function healthCheckTarget(command: string): HealthCheckTarget {
  const url = /https?:\/\/[^/\s'"]+?(?::(\d+))?(\/[^\s'")]*)/.exec(command);
  if (url) return { port: url[1] ? Number(url[1]) : undefined, path: url[2] };
  const tcp = /\/dev\/tcp\/[^/\s]+\/(\d+)/.exec(command);
  if (tcp) return { port: Number(tcp[1]) };
  return {};
}
