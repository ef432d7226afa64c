import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';

const { api, call, assistant: supportAssistant } = useTestApi({ assistant: { name: 'Support', system_prompt: 'Help.' } });

test('creating a session snapshots the assistant, hands out a stream token and records session.created', async () => {
  const created = await call('POST', '/v1/sessions', { assistant_id: supportAssistant.id, metadata: { customer: '42' } });
  assert.equal(created.status, 201);
  assert.equal(created.body.status, 'created');
  assert.equal(created.body.assistant.id, supportAssistant.id);
  assert.deepEqual(created.body.audio, { encoding: 'pcm_s16le', sample_rate_hz: 16000 });
  assert.match(created.body.websocket.url, new RegExp(`/v1/sessions/${created.body.id}/stream$`));
  assert.match(created.body.websocket.token, /^st_/);

  await call('PATCH', `/v1/assistants/${supportAssistant.id}`, { name: 'Renamed' });
  const fetched = await call('GET', `/v1/sessions/${created.body.id}`);
  assert.equal(fetched.body.assistant.name, 'Support', 'the snapshot does not follow later edits');
  assert.equal(fetched.body.websocket, undefined, 'the token is shown on creation only');

  const events = await api.db.system((trx) => trx('events').where({ session_id: created.body.id }));
  assert.deepEqual(events.map((event) => event.type), ['session.created']);
});

test('sessions list with filters and end before connecting', async () => {
  const other = (await call('POST', '/v1/assistants', { name: 'Other', system_prompt: '' })).body.id;
  const mine = (await call('POST', '/v1/sessions', { assistant_id: other })).body.id;
  const filtered = await call('GET', `/v1/sessions?assistant_id=${other}`);
  assert.deepEqual(filtered.body.data.map((s: { id: string }) => s.id), [mine]);

  const ended = await call('POST', `/v1/sessions/${mine}/end`);
  assert.equal(ended.body.status, 'ended');
  assert.equal(ended.body.ended_reason, 'customer-ended');
  assert.equal((await call('POST', `/v1/sessions/${mine}/end`)).status, 409);
  const byStatus = await call('GET', `/v1/sessions?status=ended&assistant_id=${other}`);
  assert.equal(byStatus.body.data.length, 1);
  const future = await call('GET', `/v1/sessions?created_after=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
  assert.equal(future.body.data.length, 0);
  assert.equal((await call('GET', '/v1/sessions?created_after=yesterday')).status, 400);
});

test('racing creates never exceed max_concurrent_sessions', async () => {
  const { secretKey } = await api.createOrganization('Limited');
  const limited = apiClient(api.baseUrl, secretKey);
  await limited('PATCH', '/v1/organization', { settings: { max_concurrent_sessions: 3 } });
  const assistant = (await limited('POST', '/v1/assistants', { name: 'a', system_prompt: '' })).body.id;
  const results = await Promise.all(Array.from({ length: 12 }, () => limited('POST', '/v1/sessions', { assistant_id: assistant })));
  const statuses = results.map((result) => result.status).sort();
  assert.deepEqual(statuses, [201, 201, 201, ...Array(9).fill(409)]);
  assert.equal(results.find((result) => result.status === 409)!.body.error.code, 'concurrency_limit_reached');
});

test('parallel creates hold the limit while slots are made, after it is raised and after it is lowered', async () => {
  const { secretKey } = await api.createOrganization('Busy');
  const busy = apiClient(api.baseUrl, secretKey);
  const assistant = (await busy('POST', '/v1/assistants', { name: 'a', system_prompt: '' })).body.id;
  const createMany = async (count: number) => {
    const results = await Promise.all(Array.from({ length: count }, () => busy('POST', '/v1/sessions', { assistant_id: assistant })));
    for (const result of results) assert.ok(result.status === 201 || result.body.error.code === 'concurrency_limit_reached', `unexpected ${result.status}`);
    return results.filter((result) => result.status === 201).map((result) => result.body.id as string);
  };

  // 37 is past the first 16 slots and their doubling, so the racing creates also race to make slots.
  await busy('PATCH', '/v1/organization', { settings: { max_concurrent_sessions: 37 } });
  const first = await createMany(60);
  assert.equal(first.length, 37);
  await busy('PATCH', '/v1/organization', { settings: { max_concurrent_sessions: 45 } });
  const second = await createMany(20);
  assert.equal(second.length, 8);

  // Lowered below what is live: the sessions in slots above it (the last 8, in slots 38-45) hold off new ones until they end.
  await busy('PATCH', '/v1/organization', { settings: { max_concurrent_sessions: 40 } });
  for (const id of first.slice(0, 5)) assert.equal((await busy('POST', `/v1/sessions/${id}/end`)).status, 200);
  assert.equal((await createMany(5)).length, 0, '40 live sessions, some above the limit of 40');
  for (const id of second) assert.equal((await busy('POST', `/v1/sessions/${id}/end`)).status, 200);
  assert.equal((await createMany(10)).length, 8, '32 live sessions, limit 40');
});

test('a slot is freed when a session ends, and when a created session lets its token expire unused', async () => {
  const { secretKey, orgId } = await api.createOrganization('One at a time');
  const limited = apiClient(api.baseUrl, secretKey);
  await limited('PATCH', '/v1/organization', { settings: { max_concurrent_sessions: 1 } });
  const assistant = (await limited('POST', '/v1/assistants', { name: 'a', system_prompt: '' })).body.id;
  const create = () => limited('POST', '/v1/sessions', { assistant_id: assistant });
  const liveCount = async () => Number((await api.db.system((trx) => trx('session_slots').where({ org_id: orgId }).whereNotNull('session_id').count({ n: '*' }).first()))!.n);

  const first = await create();
  assert.equal(first.status, 201);
  assert.equal((await create()).status, 409);
  assert.equal((await limited('POST', `/v1/sessions/${first.body.id}/end`)).status, 200);
  assert.equal(await liveCount(), 0);

  const unused = await create();
  assert.equal(unused.status, 201);
  await api.db.system((trx) => trx('sessions').where({ id: unused.body.id }).update({ stream_token_expires_at: new Date(Date.now() - 1000) }));
  const next = await create();
  assert.equal(next.status, 201, 'the expired session no longer holds the slot');
  const expired = await limited('GET', `/v1/sessions/${unused.body.id}`);
  assert.equal(expired.body.status, 'ended');
  assert.equal(expired.body.ended_reason, 'never-connected');
  assert.equal(await liveCount(), 1);
});

test('the livekit transport on a server without LiveKit is a 409 naming the missing settings', async () => {
  const response = await call('POST', '/v1/sessions', { assistant_id: supportAssistant.id, transport: 'livekit' });
  assert.equal(response.status, 409);
  assert.equal(response.body.error.code, 'transport_unavailable');
  assert.equal(response.body.error.param, 'transport');
  assert.match(response.body.error.message, /LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET/);
});

test('an unknown assistant is a 404 naming assistant_id', async () => {
  const response = await call('POST', '/v1/sessions', { assistant_id: 'asst_00000000000000000000000000' });
  assert.equal(response.status, 404);
  assert.equal(response.body.error.param, 'assistant_id');
});
