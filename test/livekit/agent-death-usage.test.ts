// A LiveKit session whose agent process is killed outright still accounts for itself: the process that notices the
// death ends it `agent-unavailable` with the usage its persisted state shows (the call's length, the microphone audio
// over it, the greeting that was heard) and charges it, so the organization's usage totals include it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { exitCode, startEchoSphere } from '../cli/start-process.ts';
import { apiClient } from '../support/client.ts';
import { createProvisionedDatabase } from '../support/database.ts';
import { liveKitTestServer, postgresTestServer } from '../support/services.ts';
import { waitFor } from '../support/wait-for.ts';
import { startAgentProcess } from './support/agent-process.ts';
import { LiveKitCustomer } from './support/livekit-customer.ts';
import { liveKitEnv } from './support/livekit-env.ts';

const { service: server, skip: noLiveKit } = liveKitTestServer();
// Several processes share one database only on a PostgreSQL server, whatever database the suite runs on.
const { service: postgres, skip: noPostgres } = postgresTestServer();
const skip = noLiveKit || noPostgres;
const GREETING = 'Hello, thanks for calling.';

after(async () => {
  if (!skip) await dispose();
});

test('SIGKILL of the agent process running a LiveKit session: the session ends with its usage and is charged', { skip, timeout: 120_000 }, async () => {
  const database = await createProvisionedDatabase(postgres!.url, 'echosphere_agent_death', 'Agent death');
  const env = { ...database.env, ...liveKitEnv(server!) };
  const api = startEchoSphere({ ...env, ECHOSPHERE_ROLES: 'api' });
  const doomed = await startAgentProcess(env);
  const agents = [doomed];
  let customer: LiveKitCustomer | undefined;
  try {
    const call = apiClient(await api.ready, database.secretKey);
    // The offline assistant: scripted model, local voice, no transcriber.
    const assistant = await call('POST', '/v1/assistants', { name: 'Desk', system_prompt: 'Help.', first_message: GREETING });
    const created = await call('POST', '/v1/sessions', { assistant_id: assistant.body.id, transport: 'livekit' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sessionId: string = created.body.id;
    customer = await LiveKitCustomer.join(created.body.livekit);
    await customer.waitFor('session.started');
    await customer.waitFor('transcript', { predicate: (event) => event.role === 'assistant' && event.final, timeoutMs: 30_000 });
    const transcript = async () => (await call('GET', `/v1/sessions/${sessionId}/messages`)).body.data;
    await waitFor(async () => (await transcript()).some((message: { role: string }) => message.role === 'assistant'), 'the greeting stored', 10_000);

    // Only now is there another process to notice the death.
    agents.push(await startAgentProcess(env));
    doomed.child.kill('SIGKILL');
    await exitCode(doomed.child);
    await waitFor(async () => (await call('GET', `/v1/sessions/${sessionId}`)).body.status === 'failed', 'the session ended by the surviving process', 30_000);

    const session = (await call('GET', `/v1/sessions/${sessionId}`)).body;
    assert.equal(session.ended_reason, 'agent-unavailable');
    assert.ok(session.duration_ms > 0, `the session lasted until the death was noticed (${session.duration_ms} ms)`);
    const [greeting] = (await transcript()).filter((message: { role: string }) => message.role === 'assistant');
    assert.deepEqual(session.usage, {
      audio_in_ms: session.duration_ms,
      audio_out_ms: greeting.end_ms - greeting.start_ms,
      stt_audio_ms: 0,
      llm_prompt_tokens: 0,
      llm_completion_tokens: 0,
      tts_characters: greeting.text.length,
    });
    assert.ok(session.usage.audio_out_ms > 500, `the greeting was heard (${session.usage.audio_out_ms} ms)`);
    assert.ok(session.cost, 'the session was charged');
    const sessionLine = session.cost.breakdown.find((line: { item: string }) => line.item === 'session');
    assert.equal(sessionLine.quantity, session.duration_ms);

    const usage = (await call('GET', '/v1/usage')).body;
    assert.equal(usage.total.sessions, 1);
    assert.equal(usage.total.tts_characters, greeting.text.length);
    assert.ok(usage.total.minutes > 0, JSON.stringify(usage.total));
    assert.equal(usage.total.cost_usd, session.cost.total_usd);

    const ended = (await call('GET', `/v1/events?type=session.ended&session_id=${sessionId}`)).body.data;
    assert.equal(ended.length, 1);
    assert.deepEqual(ended[0].data.usage, session.usage, 'the session.ended report carries the same usage');
  } finally {
    await customer?.leave().catch(() => {});
    for (const agent of agents) agent.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    await Promise.all([...agents.map((agent) => exitCode(agent.child)), exitCode(api.child)]);
    await database.drop();
  }
});
