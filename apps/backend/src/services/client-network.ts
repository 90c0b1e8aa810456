import ipaddr from 'ipaddr.js';

/**
 * How many leading bits of an IPv6 address name one client. A subscriber,
 * a cloud VM, even a single host is handed a whole /64 and may send from
 * any of its 2^64 addresses (privacy extensions change them on their own),
 * so counting by the full address let one client try passwords or sign
 * up without limit by changing the last bits (found in review). Cloudflare,
 * nginx's guides and express-rate-limit count by /64 or wider.
 */
const IPV6_CLIENT_PREFIX_GROUPS = 4;

/**
 * The client a request's address stands for, as the per-address limits and
 * trusted sign-in addresses count it: an IPv4 address as it is (also when it
 * arrives IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address by its /64.
 * Anything that is not an address is returned as it is.
 */
export function clientNetwork(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const { parts } = parsed as ipaddr.IPv6;
  const network = parts.slice(0, IPV6_CLIENT_PREFIX_GROUPS).map((part) => part.toString(16));
  return `${network.join(':')}::/64`;
}
