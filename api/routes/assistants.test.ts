import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';

let api: TestApi;
let call: ReturnType<typeof apiClient>;

before(async () => {
  api = await startTestApi();
  call = apiClient(api.baseUrl, (await api.createOrganization()).secretKey);
});
after(() => api.close());

test('an assistant is created with defaults, read, patched and deleted', async () => {
  const created = await call('POST', '/v1/assistants', { name: 'Receptionist', system_prompt: 'Be brief.' });
  assert.equal(created.status, 201);
  assert.match(created.body.id, /^asst_/);
  assert.equal(created.body.model.provider, 'scripted');
  assert.equal(created.body.turn.endpointing_min_delay_ms, 500);
  const patched = await call('PATCH', `/v1/assistants/${created.body.id}`, { first_message: 'Hello!' });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.first_message, 'Hello!');
  assert.equal(patched.body.name, 'Receptionist');
  const fetched = await call('GET', `/v1/assistants/${created.body.id}`);
  assert.deepEqual(fetched.body, patched.body);
  const deleted = await call('DELETE', `/v1/assistants/${created.body.id}`);
  assert.deepEqual(deleted.body, { id: created.body.id, object: 'assistant', deleted: true });
  assert.equal((await call('GET', `/v1/assistants/${created.body.id}`)).status, 404);
});

test('a nested validation error names its field', async () => {
  const response = await call('POST', '/v1/assistants', {
    name: 'x',
    system_prompt: 'y',
    turn: { endpointing_min_delay_ms: 900, endpointing_max_delay_ms: 100 },
  });
  assert.equal(response.status, 400);
  assert.equal(response.body.error.param, 'turn.endpointing_max_delay_ms');
  const unknown = await call('POST', '/v1/assistants', { name: 'x', system_prompt: 'y', voice: { provider: 'local', pitch: 3 } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.code, 'unknown_field');
  assert.equal(unknown.body.error.param, 'voice.pitch');
});

test('a patch is validated against the merged assistant', async () => {
  const created = await call('POST', '/v1/assistants', { name: 'x', system_prompt: 'y' });
  const response = await call('PATCH', `/v1/assistants/${created.body.id}`, {
    turn: { endpointing_min_delay_ms: 5000, endpointing_max_delay_ms: 10 },
  });
  assert.equal(response.status, 400);
  assert.equal(response.body.error.param, 'turn.endpointing_max_delay_ms');
});

test('lists page newest first with cursors', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await call('POST', '/v1/assistants', { name: `p${i}`, system_prompt: '' })).body.id);
  const first = await call('GET', '/v1/assistants?limit=2');
  assert.equal(first.body.has_more, true);
  const second = await call('GET', `/v1/assistants?limit=2&starting_after=${first.body.data[1].id}`);
  const back = await call('GET', `/v1/assistants?limit=2&ending_before=${second.body.data[0].id}`);
  assert.deepEqual(back.body.data.map((a: any) => a.id), first.body.data.map((a: any) => a.id));
  assert.deepEqual([...first.body.data, ...second.body.data].map((a: any) => a.id), ids.slice(-4).reverse());
  assert.equal((await call('GET', '/v1/assistants?starting_after=nonsense')).status, 400);
  assert.equal((await call('GET', '/v1/assistants?limit=0')).status, 400);
});

test('tool servers and the webhook override must be callable public URLs', async () => {
  const strict = await startTestApi({ env: { ECHOSPHERE_ALLOW_PRIVATE_URLS: 'false' } });
  try {
    const { secretKey } = await strict.createOrganization();
    const tool = (url: string) => ({ type: 'function', name: 'lookup', description: 'Look up', server: { url } });
    const create = (body: object) => apiClient(strict.baseUrl, secretKey)('POST', '/v1/assistants', { name: 'x', system_prompt: 'y', ...body });
    for (const url of ['https://127.0.0.1/tool', 'https://169.254.169.254/latest', 'http://[::1]/x', 'https://10.1.2.3/']) {
      const response = await create({ tools: [tool(url)] });
      assert.equal(response.status, 400, url);
      assert.equal(response.body.error.param, 'tools.0.server.url');
    }
    const override = await create({ server_url: 'https://localhost/hooks' });
    assert.equal(override.body.error.param, 'server_url');
  } finally {
    await strict.close();
  }
});
