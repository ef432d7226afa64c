import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApi, useTestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';

const { api, call, organization } = useTestApi();

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

test('a script pattern the linear-time regex engine cannot run is refused, naming the rule and the reason', async () => {
  const script = (pattern: string) => ({ provider: 'scripted', script: { rules: [{ pattern: 'hello', reply: 'Hi' }, { pattern, reply: 'Matched' }], default_reply: 'Sorry?' } });
  const refusals: Array<[string, RegExp]> = [
    ['(a)\\1', /backreference \(\\1\)/],
    ['(?<name>a)\\k<name>', /backreference \(\\k<name>\)/],
    ['price(?= now)', /lookahead \(\(\?=…\)/],
    ['(?<!not )happy', /lookbehind \(\(\?<!…\)/],
    ['(unclosed', /not a valid regular expression/],
    ['(?:yes|yeah){1000}', /too complex/],
  ];
  for (const [pattern, reason] of refusals) {
    const response = await call('POST', '/v1/assistants', { name: 'x', system_prompt: 'y', model: script(pattern) });
    assert.equal(response.status, 400, pattern);
    assert.equal(response.body.error.code, 'invalid_field');
    assert.equal(response.body.error.param, 'model.script.rules.1.pattern');
    assert.match(response.body.error.message, /^model\.script\.rules\.1\.pattern: /);
    assert.match(response.body.error.message, reason, pattern);
  }
  const created = await call('POST', '/v1/assistants', { name: 'x', system_prompt: 'y', model: script('(x+x+)+y') });
  assert.equal(created.status, 201, 'a pattern that only backtracking engines choke on is fine on a linear-time one');
  const patched = await call('PATCH', `/v1/assistants/${created.body.id}`, { model: script('(?=a)') });
  assert.equal(patched.status, 400);
  assert.equal(patched.body.error.param, 'model.script.rules.1.pattern');
});

test("a script's rules share one budget of regex instructions", async () => {
  // Each rule is within its own limit (a cost of about 900); 34 of them are not, and the 34th is refused.
  const rules = Array.from({ length: 34 }, (_, index) => ({ pattern: `\\b[a-z]{${index + 1},450}\\b`, reply: `${index}` }));
  const response = await call('POST', '/v1/assistants', { name: 'x', system_prompt: 'y', model: { provider: 'scripted', script: { rules, default_reply: 'Sorry?' } } });
  assert.equal(response.status, 400);
  assert.equal(response.body.error.param, 'model.script.rules.33.pattern');
  assert.match(response.body.error.message, /cost more than 30,000 regex instructions in all/);
});

test('tool parameter schemas are bounded in depth as well as size', async () => {
  let deep: Record<string, unknown> = { type: 'string' };
  // 20 schema levels are 41 objects deep: past the 32 allowed here, within the 64 any request body may nest.
  for (let level = 0; level < 20; level++) deep = { type: 'object', properties: { nested: deep } };
  const tool = (parameters: unknown) => ({ type: 'function', name: 'lookup', description: 'Look up', parameters, server: { url: 'https://127.0.0.1/tool' } });
  const tooDeep = await call('POST', '/v1/assistants', { name: 'x', system_prompt: 'y', tools: [tool(deep)] });
  assert.equal(tooDeep.status, 400);
  assert.equal(tooDeep.body.error.param, 'tools.0.parameters');
  assert.match(tooDeep.body.error.message, /nested more than 32 levels deep/);
  // Nesting deep enough to overflow a recursive walk still gets an answer, not a crash.
  const abyss = `{"type":"object","properties":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
  const response = await fetch(`${api.baseUrl}/v1/assistants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${organization.secretKey}`, 'content-type': 'application/json' },
    body: `{"name":"x","system_prompt":"y","tools":[{"type":"function","name":"lookup","description":"Look up","server":{"url":"https://127.0.0.1/tool"},"parameters":${abyss}}]}`,
  });
  assert.equal(response.status, 400);
});

test('every invalid field is reported at once, in plain words', async () => {
  const response = await call('POST', '/v1/assistants', {
    name: '',
    model: { provider: 'openai', temperature: 5 },
    voice: { provider: 'elevenlabs', voice_id: '' },
    turn: { interruption_min_words: -1 },
    shoe_size: 9,
  });
  assert.equal(response.status, 400);
  const problems: { code: string; message: string; param: string }[] = response.body.error.errors;
  assert.deepEqual(
    Object.fromEntries(problems.map((problem) => [problem.param, problem.message])),
    {
      shoe_size: 'Unknown field "shoe_size" in the body.',
      name: 'name: must not be empty',
      'model.temperature': 'model.temperature: must be at most 2',
      'voice.voice_id': 'voice.voice_id: must not be empty',
      'turn.interruption_min_words': 'turn.interruption_min_words: must be at least 0',
      system_prompt: "system_prompt: is required with the openai model: it is the assistant's instructions",
    },
  );
  assert.deepEqual(
    { code: response.body.error.code, message: response.body.error.message, param: response.body.error.param },
    problems[0],
    'the error itself is the first problem',
  );
  const provider = await call('POST', '/v1/assistants', { name: 'x', voice: { provider: 'polly' } });
  assert.equal(provider.body.error.message, 'voice.provider: must be one of "elevenlabs", "openai", "local"');
});

test('a scripted model needs neither a script nor a system prompt; an OpenAI model needs the prompt', async () => {
  const scripted = await call('POST', '/v1/assistants', { name: 'Echo', model: { provider: 'scripted' } });
  assert.equal(scripted.status, 201);
  assert.deepEqual(scripted.body.model, { provider: 'scripted', script: { rules: [], default_reply: "I'm a scripted assistant." } });
  assert.equal(scripted.body.system_prompt, '');
  const openai = await call('POST', '/v1/assistants', { name: 'Chat', model: { provider: 'openai' } });
  assert.equal(openai.status, 400);
  assert.equal(openai.body.error.param, 'system_prompt');
  const switched = await call('PATCH', `/v1/assistants/${scripted.body.id}`, { model: { provider: 'openai' } });
  assert.equal(switched.status, 400, 'switching to a model that uses the prompt asks for one');
  assert.equal(switched.body.error.param, 'system_prompt');
});
