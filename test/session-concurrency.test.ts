import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useStreamHarness, waitForSessionEnd } from './support/stream-harness.ts';

describe('many sessions in one process', () => {
  const harness = useStreamHarness();

  it('runs 20 concurrent sessions to completion, each with its own reply', async () => {
    const sessions = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        harness.createSession({
          name: `Concurrent ${index}`,
          model: { provider: 'scripted', script: { rules: [{ pattern: `number ${index}\\b`, reply: `You are caller ${index}.` }], default_reply: 'Unknown caller.' } },
          voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 300 },
          transcriber: { provider: 'none' },
        }),
      ),
    );
    await Promise.all(
      sessions.map(async (session, index) => {
        const client = harness.connect(session);
        await client.waitFor('session.started', { includePast: true, timeoutMs: 30_000 });
        client.sendText(`I am number ${index}`);
        const reply = await client.waitFor('transcript', { includePast: true, timeoutMs: 30_000, predicate: (event) => event.role === 'assistant' && event.final });
        assert.equal(reply.text, `You are caller ${index}.`);
        assert.ok(client.audioBytes > 0);
        client.end();
        await client.closed;
        const row = await waitForSessionEnd(harness.db, session.id, 30_000);
        assert.equal(row.ended_reason, 'customer-ended');
      }),
    );
    assert.equal(harness.gateway.liveSessionCount(), 0);
  });
});
