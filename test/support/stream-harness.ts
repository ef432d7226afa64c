import http from 'node:http';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { dispose } from '@livekit/rtc-node';
import type { SessionBilling } from '../../core/billing/session-charge.ts';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { generateToken } from '../../core/crypto/tokens.ts';
import type { Database } from '../../core/db/database.ts';
import { newId } from '../../core/ids.ts';
import { createLogger } from '../../core/logger.ts';
import { attachStreamGateway, type StreamGateway } from '../../agent-runtime/stream/stream-gateway.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { openTestDatabase } from './database.ts';
import { forTheseTests } from './for-these-tests.ts';
import { closeServer, listenOnLoopback } from './loopback-server.ts';

/** The session's audio format, and how long its stream token lasts. */
type NewSessionOptions = { audio?: Record<string, unknown>; expiresInS?: number };

export interface StreamHarness {
  db: Database;
  secretBox: SecretBox;
  gateway: StreamGateway;
  baseUrl: string;
  orgId: string;
  toolSigningSecret: string;
  createSession(assistant: Record<string, unknown>, options?: NewSessionOptions): Promise<{ id: string; token: string }>;
  connect(session: { id: string; token: string }): SessionClient;
  /** Creates a session, connects to it and waits until it has started. */
  startSession(assistant: Record<string, unknown>, options?: NewSessionOptions): Promise<{ session: { id: string; token: string }; client: SessionClient }>;
  close(): Promise<void>;
}

export interface StreamHarnessOptions {
  /** Server-wide provider keys (OPENAI_API_KEY, …). */
  env?: NodeJS.ProcessEnv;
  /** The organization's own provider credentials, stored as the API would store them. */
  providerCredentials?: Record<string, { apiKey: string; baseUrl?: string }>;
  /** ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS; on by default because the provider fakes listen on 127.0.0.1. */
  allowPrivateProviderUrls?: boolean;
  /** How ending sessions are charged (the default prices without it). */
  billing?: SessionBilling;
}

/** A migrated database, one organization, and an HTTP server with the stream gateway on a random local port. */
export async function startStreamHarness(options: StreamHarnessOptions = {}): Promise<StreamHarness> {
  const db = await openTestDatabase();
  const secretBox = new SecretBox(randomBytes(32));
  const orgId = newId('organization');
  const toolSigningSecret = `whsec_${randomBytes(24).toString('base64')}`;
  await db.system(async (trx) => {
    await trx('organizations').insert({ id: orgId, name: 'Test org', tool_signing_secret: secretBox.seal(toolSigningSecret) });
    for (const [provider, credential] of Object.entries(options.providerCredentials ?? {})) {
      await trx('provider_credentials').insert({
        org_id: orgId,
        provider,
        sealed_api_key: secretBox.seal(credential.apiKey),
        api_key_last4: credential.apiKey.slice(-4),
        base_url: credential.baseUrl ?? null,
      });
    }
  });
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', format: 'json' });
  const gateway = attachStreamGateway(server, { db, secretBox, logger, allowPrivateUrls: true, allowPrivateProviderUrls: options.allowPrivateProviderUrls ?? true, env: options.env ?? {}, billing: options.billing });
  const port = await listenOnLoopback(server);
  const clients: SessionClient[] = [];

  async function createSession(assistant: Record<string, unknown>, sessionOptions: NewSessionOptions = {}) {
    const token = generateToken('st_');
    const assistantId = newId('assistant');
    const id = newId('session');
    await db.system(async (trx) => {
      await trx('assistants').insert({ id: assistantId, org_id: orgId, name: 'Test assistant', config: JSON.stringify(assistant) });
      await trx('sessions').insert({
        id,
        org_id: orgId,
        assistant_id: assistantId,
        assistant: JSON.stringify({ id: assistantId, ...assistant }),
        transport: 'websocket',
        status: 'created',
        audio: JSON.stringify(sessionOptions.audio ?? { encoding: 'pcm_s16le', sample_rate_hz: 16000 }),
        stream_token_hash: token.hash,
        stream_token_expires_at: new Date(Date.now() + (sessionOptions.expiresInS ?? 600) * 1000),
      });
    });
    return { id, token: token.plaintext };
  }

  function connect(session: { id: string; token: string }) {
    const client = new SessionClient({ baseUrl: `ws://127.0.0.1:${port}`, sessionId: session.id, token: session.token, WebSocketImpl: WebSocket as never });
    clients.push(client);
    return client;
  }

  return {
    db,
    secretBox,
    gateway,
    baseUrl: `ws://127.0.0.1:${port}`,
    orgId,
    toolSigningSecret,
    createSession,
    connect,
    async startSession(assistant, sessionOptions) {
      const session = await createSession(assistant, sessionOptions);
      const client = connect(session);
      await client.waitFor('session.started', { includePast: true });
      return { session, client };
    },
    async close() {
      for (const client of clients) client.close();
      await gateway.shutdownAll(5000);
      await closeServer(server);
      await db.close();
    },
  };
}

/** A harness for the tests of the enclosing describe (or file), closed with rtc-node's native side after them. */
export function useStreamHarness(options: StreamHarnessOptions = {}): StreamHarness {
  return forTheseTests(
    () => startStreamHarness(options),
    async (harness) => {
      await harness.close();
      await dispose();
    },
  );
}

export async function sessionRow(db: Database, id: string) {
  return db.system((trx) => trx('sessions').where({ id }).first());
}

export async function sessionMessages(db: Database, id: string) {
  return db.system((trx) => trx('messages').where({ session_id: id }).orderBy('id', 'asc'));
}

export async function sessionEvents(db: Database, id: string) {
  return db.system((trx) => trx('events').where({ session_id: id }).orderBy('id', 'asc'));
}

/** Polls until the session row has left the live states (the runtime persists after the socket closes). */
export async function waitForSessionEnd(db: Database, id: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const row = await sessionRow(db, id);
    if (row && (row.status === 'ended' || row.status === 'failed')) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Session ${id} did not end within ${timeoutMs} ms`);
}
