import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { classifyAddress, isAllowedAddress } from './address-policy.ts';

export interface UrlPolicy {
  /**
   * Allow http:// (and ws:// with `webSocket`) and private/loopback addresses (local development, tests, model servers
   * on the operator's own network). Metadata addresses stay refused.
   */
  allowPrivate: boolean;
  /** Also accept WebSocket URLs (wss://, and ws:// when private URLs are allowed): streaming providers use them. */
  webSocket?: boolean;
  /** The server setting that sets `allowPrivate`, named when a URL is refused for being private or unencrypted. */
  allowedBy?: string;
}

export type UnsafeUrlReason = 'malformed' | 'scheme' | 'credentials' | 'private_address' | 'metadata_address' | 'unresolvable';

/** A customer-supplied URL we refuse to call. `message` is safe to show to the customer. */
export class UnsafeUrlError extends Error {
  constructor(
    readonly reason: UnsafeUrlReason,
    message: string,
  ) {
    super(message);
    this.name = 'UnsafeUrlError';
  }
}

/**
 * Checks the parts of a URL that need no network: scheme (https, or http when private URLs are allowed; wss and ws
 * likewise when the policy takes WebSockets), no embedded credentials, and, when the host is an IP literal, that the
 * address is allowed. Use it to validate input cheaply.
 */
export function checkUrlShape(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('malformed', 'must be an absolute URL');
  }
  const schemes = allowedSchemes(policy);
  if (!schemes.includes(url.protocol)) {
    throw new UnsafeUrlError('scheme', `must use ${schemes.map((scheme) => scheme.slice(0, -1)).join(' or ')}`);
  }
  if (url.username || url.password) throw new UnsafeUrlError('credentials', 'must not contain credentials');
  const literal = hostAddress(url);
  if (literal) assertAddress(literal, policy);
  return url;
}

/**
 * The full check, for creation time: `checkUrlShape` plus resolving the host name and refusing it when any address it
 * resolves to is not allowed. Delivery must still connect through `guardedLookup`, because DNS may answer differently
 * by then (DNS rebinding).
 */
export async function assertPublicUrl(raw: string, policy: UrlPolicy): Promise<URL> {
  const url = checkUrlShape(raw, policy);
  if (!hostAddress(url)) await resolveAllowed(url.hostname, policy);
  return url;
}

/** Encrypted schemes always; their plain-text twins only where private URLs are allowed (development, local servers). */
function allowedSchemes(policy: UrlPolicy): string[] {
  const secure = policy.webSocket ? ['https:', 'wss:'] : ['https:'];
  const plain = policy.webSocket ? ['http:', 'ws:'] : ['http:'];
  return policy.allowPrivate ? [...secure, ...plain] : secure;
}

/** The IP address a URL's host is written as, if it is an IP literal (`[::1]` included). */
function hostAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

/** Resolves a name and returns its addresses only when every one of them is allowed. */
async function resolveAllowed(hostname: string, policy: UrlPolicy): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await dns.lookup(hostname, { all: true, verbatim: true });
  } catch {
    throw new UnsafeUrlError('unresolvable', `host "${hostname}" does not resolve`);
  }
  if (addresses.length === 0) throw new UnsafeUrlError('unresolvable', `host "${hostname}" does not resolve`);
  for (const { address } of addresses) assertAddress(address, policy, hostname);
  return addresses;
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request`/`net.connect`: the socket connects to exactly the addresses this function vetted,
 * so a name that re-resolves to a private address between check and connect is still refused.
 */
export function guardedLookup(policy: UrlPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveAllowed(hostname, policy).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => callback(error, ''),
    );
  };
}

function assertAddress(address: string, policy: UrlPolicy, hostname?: string): void {
  if (isAllowedAddress(address, policy)) return;
  const subject = hostname ? `host "${hostname}" resolves to ${address}, which` : `address ${address}`;
  if (classifyAddress(address) === 'metadata') throw new UnsafeUrlError('metadata_address', `${subject} is a cloud metadata address`);
  throw new UnsafeUrlError('private_address', `${subject} is not a public internet address`);
}
