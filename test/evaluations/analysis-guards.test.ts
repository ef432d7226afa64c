import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { analysisConfig } from '../../core/evaluations/analysis-config.ts';
import { EVALUATION_QUEUE } from '../../core/evaluations/evaluation-jobs.ts';
import { newId } from '../../core/ids.ts';
import { insertPendingEvaluation } from '../../core/repositories/evaluations.ts';
import { sweepStaleEvaluations } from '../../workers/evaluations/evaluation-worker.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';

let api: TestApi;
let call: ReturnType<typeof apiClient>;
let orgId: string;

before(async () => {
  // The server's defaults: no private addresses for callbacks or providers.
  api = await startTestApi({ env: { ECHOSPHERE_ALLOW_PRIVATE_URLS: 'false', ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: 'false' } });
  const organization = await api.createOrganization();
  orgId = organization.orgId;
  call = apiClient(api.baseUrl, organization.secretKey);
});
after(() => api.close());

const sweepDeps = () => ({ db: api.db, queue: api.media.queue });

const withJudge = (judge: object) => ({
  name: 'Judged',
  system_prompt: '',
  analysis: { scorecard: { criteria: [{ kind: 'llm', name: 'Polite', question: 'Was the assistant polite?' }] }, judge: { provider: 'openai', ...judge } },
});

test("the judge's base_url gets the provider URL policy and only the organization's own key, like a model's", async () => {
  const internal = await call('POST', '/v1/assistants', withJudge({ base_url: 'https://169.254.169.254/v1' }));
  assert.equal(internal.status, 400);
  assert.deepEqual([internal.body.error.code, internal.body.error.param], ['invalid_url', 'analysis.judge.base_url']);
  const public_ = await call('POST', '/v1/assistants', withJudge({ base_url: 'https://93.184.215.14/v1' }));
  assert.equal(public_.status, 400);
  assert.deepEqual([public_.body.error.code, public_.body.error.param], ['provider_credential_required', 'analysis.judge.base_url']);
  await call('PUT', '/v1/provider-credentials/openai', { api_key: 'sk-own-openai-key' });
  assert.equal((await call('POST', '/v1/assistants', withJudge({ base_url: 'https://93.184.215.14/v1' }))).status, 201);
});

test('a structured-data schema or match pattern the platform cannot run safely is refused with its field', async () => {
  const schema = await call('POST', '/v1/assistants', { name: 'x', system_prompt: '', analysis: { structured_data: { schema: { type: 'object', properties: {}, additionalProperties: false, required: [], patternProperties: {} } } } });
  assert.equal(schema.status, 400);
  assert.equal(schema.body.error.param, 'analysis.structured_data.schema');
  assert.match(schema.body.error.message, /uses "patternProperties", which structured outputs do not support/);
  const pattern = await call('POST', '/v1/assistants', { name: 'x', system_prompt: '', analysis: { scorecard: { criteria: [{ kind: 'match', name: 'm', mode: 'regex', pattern: '(a+)+\\1' }] } } });
  assert.equal(pattern.status, 400);
  assert.equal(pattern.body.error.param, 'analysis.scorecard.criteria.0.pattern');
});

test('the sweep enqueues a requested evaluation whose job was never enqueued, once', async () => {
  const sessionId = newId('session');
  const assistantId = newId('assistant');
  await api.db.system((trx) =>
    trx('sessions').insert({ id: sessionId, org_id: orgId, assistant_id: assistantId, assistant: '{}', transport: 'websocket', status: 'ended', audio: '{}' }),
  );
  const analysis = await analysisConfig.parseAsync({ scorecard: { criteria: [{ kind: 'match', name: 'm', mode: 'contains', pattern: 'hi' }] } });
  const evaluation = await api.db.tenant(orgId, (trx) => insertPendingEvaluation(trx, { orgId, sessionId, assistantId, analysis }));
  assert.equal(await sweepStaleEvaluations(sweepDeps()), 0, 'a fresh request is left to its own enqueue');
  await api.db.system((trx) => trx('evaluations').where({ id: evaluation.id }).update({ created_at: new Date(Date.now() - 10 * 60_000) }));
  assert.equal(await sweepStaleEvaluations(sweepDeps()), 1);
  assert.equal(await sweepStaleEvaluations(sweepDeps()), 1, 'still unfinished, it is offered again');
  const jobs = await api.db.system((trx) => trx('jobs').where({ queue: EVALUATION_QUEUE }));
  assert.deepEqual(jobs.map((job: { data: { evaluationId: string } }) => job.data.evaluationId), [evaluation.id], 'one job: the second enqueue was a duplicate');
});
