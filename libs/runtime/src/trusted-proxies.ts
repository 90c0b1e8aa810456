import type { NodeEnv } from '@docuthinker/config';

/**
 * The peers whose `X-Forwarded-For` names the client (the address the login
 * and sign-up limits count): in production the load balancer, which reaches
 * the services from the VPC's private addresses (their security groups admit
 * nothing else); elsewhere only this machine, e.g. a local reverse proxy.
 * Trusting private addresses under `npm start`, which listens on every
 * interface, let any machine of the LAN name an address of its choosing with
 * each login and never reach the limit (found in review).
 */
export function trustedProxies(nodeEnv: NodeEnv | undefined): string {
  return nodeEnv === 'production' ? 'loopback, uniquelocal' : 'loopback';
}
