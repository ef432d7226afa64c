import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { Ajv } from 'ajv';
import { Webhook } from 'standardwebhooks';
import { startOpenAiFake, type OpenAiFake, type StructuredDecision } from '../fakes/openai-fake.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';
import { testDeliverer } from '../webhooks/fixtures.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';
import { bookingAssistant, bookingSchema, finishedEvaluation, startTestEvaluationWorker, typedSession } from './support.ts';

let api: TestApi;
let judge: OpenAiFake;
let receiver: Receiver;
let call: ReturnType<typeof apiClient>;
let stopSweep: () => void;
let deliverer: ReturnType<typeof testDeliverer>;
/** The organization's own openai key (stored through the API, which takes keys of 8 characters or more). */
const JUDGE_KEY = 'sk-test-judge';

/** A judge that reads the transcript it is sent: it cites the assistant's confirmation and extracts the booking. */
function judgeAnswer(body: Record<string, any>): StructuredDecision {
  const name = body.response_format.json_schema.name as string;
  const transcript = String(body.messages.at(-1).content);
  if (name === 'summary') return { json: { summary: 'A caller booked a table for four on Friday.' } };
  if (name === 'structured_data') return { json: { party_size: 4, day: 'friday', caller_name: null } };
  const confirmation = /\[(msg_[0-9A-Z]+)\] \d\d:\d\d assistant: Booked/.exec(transcript)?.[1];
  return { json: { rationale: 'The assistant said "Booked: a table for four on Friday."', evidence_message_ids: [confirmation], score: 5 } };
}

before(async () => {
  api = await startTestApi({ withStreamGateway: true });
  judge = await startOpenAiFake(() => ({ text: 'unused' }), { apiKey: JUDGE_KEY, structured: judgeAnswer });
  receiver = await startReceiver();
  call = apiClient(api.baseUrl, (await api.createOrganization()).secretKey);
  assert.equal((await call('PUT', '/v1/provider-credentials/openai', { api_key: JUDGE_KEY, base_url: judge.baseUrl })).status, 200);
  stopSweep = await startTestEvaluationWorker(api);
  deliverer = testDeliverer(api.db, api.deps.secretBox);
  await deliverer.start();
});

after(async () => {
  stopSweep?.();
  await deliverer.stop();
  await receiver.close();
  await judge.close();
  await api.close();
  await dispose();
});

test('a WebSocket session is evaluated once it ends: summary, structured data, scores with evidence, and a signed webhook', { timeout: 120_000 }, async () => {
  const endpoint = (await call('POST', '/v1/webhook-endpoints', { url: receiver.url('/evaluations'), event_types: ['evaluation.completed'] })).body;
  const assistant = (await call('POST', '/v1/assistants', bookingAssistant())).body;
  const sessionId = await typedSession(call, api.baseUrl, assistant.id, ['I would like to book a table for four on Friday.', 'No, that is all.']);

  const evaluation = await finishedEvaluation(call, sessionId);
  assert.equal(evaluation.status, 'completed', JSON.stringify(evaluation));
  assert.match(evaluation.id, /^eval_/);
  assert.equal(evaluation.summary, 'A caller booked a table for four on Friday.');
  const validate = new Ajv().compile(bookingSchema);
  assert.ok(validate(evaluation.structured_data), JSON.stringify(validate.errors));
  assert.deepEqual(evaluation.judge, { model: 'gpt-4o-mini', prompt_version: 'echosphere-judge-2026-12' });
  assert.equal(evaluation.usage.requests, 3);
  assert.deepEqual(evaluation.history, []);

  const messages = (await call('GET', `/v1/sessions/${sessionId}/messages?limit=100`)).body.data as Array<{ id: string; start_ms: number; role: string; text: string }>;
  const byId = new Map(messages.map((message) => [message.id, message]));
  assert.deepEqual(
    evaluation.scores.map((score: any) => [score.criterion, score.kind, score.status, score.score, score.scale, score.passed]),
    [
      ['Confirmed the booking', 'llm', 'scored', 5, '1-5', true],
      ['Caller spoke', 'metric', 'scored', 1, 'pass_fail', true],
      ['Confirms', 'match', 'scored', 1, 'pass_fail', true],
    ],
  );
  for (const score of evaluation.scores) {
    assert.ok(score.rationale.length > 0, `${score.criterion} has a rationale`);
    assert.ok(score.evidence.length > 0, `${score.criterion} has evidence`);
    for (const evidence of score.evidence) {
      const message = byId.get(evidence.message_id);
      assert.ok(message, `${score.criterion} cites a real message (${evidence.message_id})`);
      assert.equal(evidence.start_ms, message.start_ms);
    }
  }
  const llmEvidence = byId.get(evaluation.scores[0].evidence[0].message_id)!;
  assert.deepEqual([llmEvidence.role, llmEvidence.text], ['assistant', 'Booked: a table for four on Friday.']);
  assert.deepEqual([evaluation.overall_score, evaluation.passed], [1, true]);

  // The judge was asked through structured outputs, strict, with the organization's key.
  assert.equal(judge.chatRequests.length, 3);
  for (const request of judge.chatRequests) assert.equal(request.response_format.json_schema.strict, true);
  assert.ok(judge.authorizations.every((authorization) => authorization === `Bearer ${JUDGE_KEY}`));

  const [delivery] = await waitFor(() => (receiver.on('/evaluations').length > 0 ? receiver.on('/evaluations') : undefined), 'the evaluation.completed webhook');
  const verified = new Webhook(endpoint.secret).verify(delivery!.body, delivery!.headers as Record<string, string>) as { type: string; session_id: string; data: unknown };
  assert.equal(verified.type, 'evaluation.completed');
  assert.equal(verified.session_id, sessionId);
  const { history: _history, ...result } = evaluation;
  assert.deepEqual(verified.data, result);

  const session = (await call('GET', `/v1/sessions/${sessionId}`)).body;
  assert.deepEqual(session.evaluation, { status: 'completed', passed: true, overall_score: 1 });
  const passing = (await call('GET', `/v1/sessions?assistant_id=${assistant.id}&passed=true`)).body.data.map((row: { id: string }) => row.id);
  const failing = (await call('GET', `/v1/sessions?assistant_id=${assistant.id}&passed=false`)).body.data.map((row: { id: string }) => row.id);
  assert.deepEqual([passing, failing], [[sessionId], []]);
});

test('re-running after the scorecard changed gives a new result and keeps the old one in the history; trends count the latest', { timeout: 120_000 }, async () => {
  const assistant = (await call('POST', '/v1/assistants', bookingAssistant())).body;
  const sessionId = await typedSession(call, api.baseUrl, assistant.id, ['Book a table, please.', 'Thanks.']);
  const first = await finishedEvaluation(call, sessionId);
  assert.equal(first.passed, true);

  const analysis = { ...assistant.analysis, scorecard: { criteria: [{ kind: 'match', name: 'Mentions Saturday', mode: 'contains', pattern: 'saturday' }], pass_threshold: null } };
  assert.equal((await call('PATCH', `/v1/assistants/${assistant.id}`, { analysis })).status, 200);
  const rerun = await call('POST', `/v1/sessions/${sessionId}/evaluation`);
  assert.equal(rerun.status, 202);
  assert.equal(rerun.body.status, 'pending');
  assert.notEqual(rerun.body.id, first.id);

  const second = await finishedEvaluation(call, sessionId);
  assert.equal(second.id, rerun.body.id);
  assert.deepEqual(second.scores.map((score: any) => [score.criterion, score.passed]), [['Mentions Saturday', false]]);
  assert.equal(second.passed, false);
  assert.deepEqual(second.history.map((earlier: { id: string }) => earlier.id), [first.id]);
  assert.deepEqual(second.history[0].scores, first.scores);
  assert.equal((await call('GET', `/v1/sessions/${sessionId}`)).body.evaluation.passed, false);

  const stats = (await call('GET', `/v1/assistants/${assistant.id}/evaluation-stats?bucket=day`)).body;
  assert.equal(stats.buckets.length, 1);
  const [bucket] = stats.buckets;
  assert.deepEqual([bucket.evaluations, bucket.passed, bucket.pass_rate, bucket.mean_overall_score], [1, 0, 0, 0]);
  assert.deepEqual(bucket.criteria, [{ criterion: 'Mentions Saturday', kind: 'match', scored: 1, passed: 0, pass_rate: 0, mean_score: 0 }]);
});

test('evaluations are refused where they make no sense, and another organization sees none of them', async () => {
  const assistant = (await call('POST', '/v1/assistants', bookingAssistant())).body;
  const created = (await call('POST', '/v1/sessions', { assistant_id: assistant.id })).body;
  assert.equal((await call('POST', `/v1/sessions/${created.id}/evaluation`)).body.error.code, 'session_not_ended');
  await call('POST', `/v1/sessions/${created.id}/end`);
  // A session that never connected has nothing to evaluate until asked.
  assert.equal((await call('GET', `/v1/sessions/${created.id}/evaluation`)).body.error.code, 'evaluation_not_found');
  const plain = (await call('POST', '/v1/assistants', { ...bookingAssistant(), analysis: null })).body;
  const plainSession = (await call('POST', '/v1/sessions', { assistant_id: plain.id })).body;
  await call('POST', `/v1/sessions/${plainSession.id}/end`);
  assert.equal((await call('POST', `/v1/sessions/${plainSession.id}/evaluation`)).body.error.code, 'analysis_not_configured');

  const other = apiClient(api.baseUrl, (await api.createOrganization('Other')).secretKey);
  assert.equal((await other('GET', `/v1/sessions/${created.id}/evaluation`)).status, 404);
  assert.equal((await other('POST', `/v1/sessions/${created.id}/evaluation`)).status, 404);
  assert.equal((await other('GET', `/v1/assistants/${assistant.id}/evaluation-stats`)).status, 404);
  assert.equal((await call('GET', `/v1/assistants/${assistant.id}/evaluation-stats?bucket=hour&from=2020-01-01T00:00:00Z`)).body.error.param, 'bucket');
});
