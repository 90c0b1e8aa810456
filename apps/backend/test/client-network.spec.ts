import { clientNetwork } from '../src/services/client-network';

describe('clientNetwork', () => {
  it('keeps an IPv4 address as it is, also when it arrives IPv4-mapped', () => {
    expect(clientNetwork('198.51.100.10')).toBe('198.51.100.10');
    expect(clientNetwork('::ffff:198.51.100.10')).toBe('198.51.100.10');
  });

  it('names an IPv6 address by its /64, however it is written', () => {
    const network = clientNetwork('2001:db8:a:b::1');
    expect(network).toBe('2001:db8:a:b::/64');
    expect(clientNetwork('2001:DB8:A:B:ffff:1:2:3')).toBe(network);
    expect(clientNetwork('2001:0db8:000a:000b:0:0:0:9')).toBe(network);
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientNetwork('2001:db8:a:c::1')).not.toBe(network);
  });

  it('returns what is not an address unchanged', () => {
    expect(clientNetwork('unknown')).toBe('unknown');
    expect(clientNetwork('')).toBe('');
  });
});
