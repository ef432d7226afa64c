import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses an outbound request to a customer-supplied URL may reach. Everything that is not plainly on the
 * public internet is refused: a webhook or tool URL must never become a way to probe our own network.
 */

/** Cloud instance-metadata services. Refused even when private addresses are allowed: they hand out credentials. */
const metadata = new BlockList();
metadata.addAddress('169.254.169.254', 'ipv4'); // AWS, GCP, Azure, OpenStack
metadata.addAddress('169.254.170.2', 'ipv4'); // AWS ECS task metadata
metadata.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud
metadata.addAddress('fd00:ec2::254', 'ipv6'); // AWS over IPv6

// Separate lists per family: a BlockList matches IPv4 addresses against IPv6 rules in their IPv4-mapped form, so the
// ::ffff:0:0/96 rule below would otherwise match every IPv4 address.
const nonPublicV4 = new BlockList();
const nonPublicV6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublicV4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated)
  ['::ffff:0:0', 96], // IPv4-mapped: would smuggle any IPv4 address past an IPv6-only check
  ['64:ff9b::', 96], // NAT64 reaches IPv4 space
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 embeds an IPv4 address
  ['fc00::', 7], // unique local (includes fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  nonPublicV6.addSubnet(network, prefix, 'ipv6');
}

export type AddressVerdict = 'public' | 'private' | 'metadata' | 'invalid';

export function classifyAddress(address: string): AddressVerdict {
  const version = isIP(address);
  if (version === 0) return 'invalid';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const embedded = version === 6 ? embeddedIpv4(address) : undefined;
  if (metadata.check(address, family) || (embedded !== undefined && metadata.check(embedded, 'ipv4'))) return 'metadata';
  const nonPublic = version === 4 ? nonPublicV4.check(address, 'ipv4') : nonPublicV6.check(address, 'ipv6');
  return nonPublic ? 'private' : 'public';
}

/** Whether a connection to `address` is acceptable under the given policy. */
export function isAllowedAddress(address: string, options: { allowPrivate: boolean }): boolean {
  const verdict = classifyAddress(address);
  return verdict === 'public' || (verdict === 'private' && options.allowPrivate);
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` or `::ffff:XXXX:XXXX`), if it is one. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^::ffff:(.+)$/i.exec(address);
  if (!match) return undefined;
  const tail = match[1]!;
  if (isIP(tail) === 4) return tail;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
