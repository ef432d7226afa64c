import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '../../core/logger.ts';
import { initializeLibraryLogger } from '../session/library-logger.ts';
import { WebSocketTransport } from './websocket-transport.ts';

initializeLibraryLogger(createLogger({ level: 'error', format: 'json' }));

test('a client that left while its token was checked ends the session as soon as the transport starts', async () => {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  try {
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', (socket) => resolve(socket)));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const socket = await accepted;
    await new Promise((resolve) => client.once('open', resolve));
    const gone = new Promise((resolve) => socket.once('close', resolve));
    client.close();
    await gone;

    const transport = new WebSocketTransport(socket, { encoding: 'pcm_s16le', sampleRateHz: 16000 });
    const reasons: string[] = [];
    transport.start({ onMessage: () => {}, onDisconnect: (reason) => reasons.push(reason) });
    assert.deepEqual(reasons, ['client-disconnected']);
    await transport.close(1000, 'done');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
