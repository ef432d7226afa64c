// The benchmark's webhook receiver, run as a child process so that its CPU time is not counted against the deliverer.
// Answers every POST with 204 over keep-alive. Talks to the parent over IPC:
//   parent → {count: n}  reply {reached: n} once n requests have arrived
//   parent → {watch: id} reply {id, at} when the request with that webhook-id arrives (at: epoch ms, sub-ms precision)
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Command = { count: number } | { watch: string };

const arrivals = new Map<string, number>();
const watched = new Set<string>();
const countWaiters: number[] = [];
let count = 0;

const send = (message: object) => process.send!(message);
/** Wall-clock milliseconds with the monotonic clock's precision, comparable with the parent's `epochNow()`. */
const epochNow = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  const at = epochNow();
  const id = String(req.headers['webhook-id']);
  req.resume();
  req.on('end', () => {
    count++;
    if (watched.delete(id)) send({ id, at });
    else arrivals.set(id, at);
    while (countWaiters.length > 0 && countWaiters[0]! <= count) send({ reached: countWaiters.shift() });
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;

process.on('message', (command: Command) => {
  if ('count' in command) {
    if (count >= command.count) send({ reached: command.count });
    else countWaiters.push(command.count);
    countWaiters.sort((a, b) => a - b);
  } else {
    const at = arrivals.get(command.watch);
    if (at === undefined) watched.add(command.watch);
    else send({ id: command.watch, at });
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
