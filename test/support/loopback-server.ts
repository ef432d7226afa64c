import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on a port the system picks on 127.0.0.1 and returns that port. */
export async function listenOnLoopback(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes `server` without waiting for idle keep-alive connections, which would hold `close` open for seconds. */
export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
