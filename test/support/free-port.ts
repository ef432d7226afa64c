import net from 'node:net';

/**
 * A loopback port nothing listens on at the moment: one the system hands out, bound and released. For a server to
 * start on later, or to find nothing listening (fetch refuses some low ports outright, which a fixed one could hit).
 */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
