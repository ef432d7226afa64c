import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { runSql } from '../core/db/database.ts';
import { expireUnconnectedSessions } from '../core/repositories/sessions.ts';
import { sessionMessages, sessionRow, useStreamHarness, waitForSessionEnd } from './support/stream-harness.ts';
import { moved, snapshot } from './observability/metric-reader.ts';
import { waitFor } from './support/wait-for.ts';

const assistant = (overrides: Record<string, unknown> = {}) => ({
  name: 'Offline',
  system_prompt: '',
  first_message: null,
  model: {
    provider: 'scripted',
    script: { rules: [{ pattern: 'bye', reply: 'Goodbye, have a nice day.' }], default_reply: 'Okay.' },
  },
  voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 260 },
  transcriber: { provider: 'none' },
  ...overrides,
});

describe('session lifecycle and malformed input over the WebSocket', () => {
  const harness = useStreamHarness();

  it('refuses a wrong token (4001), an expired token (4001) and an unknown session (4001 too)', async () => {
    const session = await harness.createSession(assistant());
    const wrong = harness.connect({ id: session.id, token: 'st_nope' });
    // A client waiting for the start hears the refusal at once, not after its timeout.
    await assert.rejects(wrong.waitFor('session.started', { timeoutMs: 60_000 }), /closed \(4001 bad token\) before session.started/);
    assert.equal((await wrong.closed).code, 4001);
    const unknown = harness.connect({ id: 'sess_01ARZ3NDEKTSV4RRFFQ69G5FAV', token: session.token });
    assert.deepEqual(await unknown.closed, { code: 4001, reason: 'bad token' }, 'an unknown session is refused like a bad token');
    assert.equal((await sessionRow(harness.db, session.id)).status, 'created');

    // Once housekeeping has ended an unused session, its token still answers "expired".
    const expired = await harness.createSession(assistant(), { expiresInS: -1 });
    await harness.db.system((trx) => runSql(trx, expireUnconnectedSessions({ batch: 100 })));
    assert.equal((await sessionRow(harness.db, expired.id)).ended_reason, 'never-connected');
    assert.equal((await harness.connect(expired).closed).code, 4001);
  });

  it('ends a session whose token is presented expired, at once, as never-connected', async () => {
    const expired = await harness.createSession(assistant(), { expiresInS: -1 });
    assert.deepEqual(await harness.connect(expired).closed, { code: 4001, reason: 'token expired' });
    const row = await sessionRow(harness.db, expired.id);
    assert.equal(row.status, 'ended');
    assert.equal(row.ended_reason, 'never-connected');
  });

  it('tells only the token holder that a session is live or over (4009); anyone else gets 4001', async () => {
    const { session, client: first } = await harness.startSession(assistant());
    assert.deepEqual(await harness.connect({ id: session.id, token: 'st_nope' }).closed, { code: 4001, reason: 'bad token' });
    assert.equal((await harness.connect(session).closed).code, 4009);
    first.end();
    await waitForSessionEnd(harness.db, session.id);
    assert.deepEqual(await harness.connect({ id: session.id, token: 'st_nope' }).closed, { code: 4001, reason: 'bad token' });
    assert.equal((await harness.connect(session).closed).code, 4009);
  });

  it('refuses a second connection (4009) and ends on client disconnect with client-disconnected', async () => {
    const { session, client: first } = await harness.startSession(assistant());
    const second = harness.connect(session);
    assert.equal((await second.closed).code, 4009);
    // The database runs on this machine, on this clock: the end is stamped between the close and the moment the row
    // is seen ended, and after the start (which the client heard before it closed).
    const closedAt = Date.now();
    first.close();
    const row = await waitForSessionEnd(harness.db, session.id);
    const seenEndedAt = Date.now();
    assert.equal(row.status, 'ended');
    assert.equal(row.ended_reason, 'client-disconnected');
    const stamps = `started ${row.started_at.toISOString()}, closed ${new Date(closedAt).toISOString()}, ended ${row.ended_at.toISOString()}, seen ${new Date(seenEndedAt).toISOString()}`;
    assert.ok(row.started_at.getTime() <= closedAt && closedAt <= row.ended_at.getTime() && row.ended_at.getTime() <= seenEndedAt, stamps);
  });

  it('answers bad JSON and unknown message types with error events, and pings with pong', async () => {
    const { client } = await harness.startSession(assistant());
    client.sendRaw('{not json');
    assert.equal((await client.waitFor('error', { includePast: true })).code, 'invalid_json');
    client.sendRaw(JSON.stringify({ type: 'dance' }));
    assert.equal((await client.waitFor('error', { predicate: (event) => event.code === 'unknown_message_type' })).code, 'unknown_message_type');
    client.sendRaw(JSON.stringify({ type: 'user.text' }));
    assert.equal((await client.waitFor('error', { predicate: (event) => event.code === 'invalid_message' })).code, 'invalid_message');
    client.ping('p1');
    assert.equal((await client.waitFor('pong')).id, 'p1');
    client.end();
    assert.equal((await client.closed).code, 1000);
  });

  it('closes with 1009 on an audio frame longer than 100 ms', async () => {
    const { session, client } = await harness.startSession(assistant());
    client.sendAudio(new Uint8Array(16000 * 2 * 0.2));
    assert.equal((await client.closed).code, 1009);
    const row = await waitForSessionEnd(harness.db, session.id);
    assert.equal(row.ended_reason, 'client-protocol-error');
  });

  it('ends with client-protocol-error and 1009 on a message over 64 KiB', async () => {
    const { session, client } = await harness.startSession(assistant());
    client.sendRaw(JSON.stringify({ type: 'user.text', text: 'a'.repeat(65 * 1024) }));
    assert.equal((await client.closed).code, 1009);
    const row = await waitForSessionEnd(harness.db, session.id);
    assert.equal(row.ended_reason, 'client-protocol-error');
  });

  it('ends with client-protocol-error and 1007 on a text frame that is not UTF-8', async () => {
    const session = await harness.createSession(assistant());
    const socket = new WebSocket(`${harness.baseUrl}/v1/sessions/${session.id}/stream?token=${session.token}`);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => socket.on('message', (data, isBinary) => !isBinary && JSON.parse(data.toString()).type === 'session.started' && resolve()));
    socket.send(Buffer.from([0xc3, 0x28]), { binary: false });
    assert.equal(await closed, 1007);
    const row = await waitForSessionEnd(harness.db, session.id);
    assert.equal(row.ended_reason, 'client-protocol-error');
  });

  it('ends with assistant-ended after the assistant says an end-call phrase', async () => {
    const { session, client } = await harness.startSession(assistant({ end_call_phrases: ['goodbye'] }));
    client.sendText('bye now');
    const ended = await client.waitFor('session.ended', { includePast: true });
    assert.equal(ended.reason, 'assistant-ended');
    const row = await waitForSessionEnd(harness.db, session.id);
    assert.equal(row.ended_reason, 'assistant-ended');
    const messages = await sessionMessages(harness.db, session.id);
    assert.equal(messages.at(-1).text, 'Goodbye, have a nice day.');
  });

  it('ends a quiet session with silence-timeout and a long one with max-duration', async () => {
    const quiet = await harness.createSession(assistant({ silence_timeout_s: 1 }));
    const quietClient = harness.connect(quiet);
    assert.equal((await quietClient.waitFor('session.ended', { includePast: true })).reason, 'silence-timeout');
    assert.equal((await waitForSessionEnd(harness.db, quiet.id)).ended_reason, 'silence-timeout');

    const long = await harness.createSession(assistant({ max_duration_s: 1 }));
    const longClient = harness.connect(long);
    assert.equal((await longClient.waitFor('session.ended', { includePast: true })).reason, 'max-duration');
    assert.equal((await waitForSessionEnd(harness.db, long.id)).ended_reason, 'max-duration');
  });

  it('reports a provider that cannot be set up and ends with provider-error', async () => {
    const metricsBefore = await snapshot();
    const session = await harness.createSession(assistant({ model: { provider: 'openai', model: 'gpt-4o-mini' } }));
    const client = harness.connect(session);
    const error = await client.waitFor('error', { includePast: true });
    assert.equal(error.code, 'provider_error');
    assert.equal((await client.waitFor('session.ended', { includePast: true })).reason, 'provider-error:openai');
    const row = await waitForSessionEnd(harness.db, session.id);
    assert.equal(row.status, 'failed');
    assert.equal(row.ended_reason, 'provider-error:openai');
    // The provider is a label of its own metric; the ended reason stays one label value whatever the provider.
    const ends = { transport: 'websocket', status: 'failed', reason: 'provider-error' };
    await waitFor(async () => moved(metricsBefore, await snapshot(), 'echosphere_session_ends_total', ends) === 1, 'the failed session counted', 5000);
    assert.equal(moved(metricsBefore, await snapshot(), 'echosphere_provider_errors_total', { provider: 'openai' }), 1);
  });
});
