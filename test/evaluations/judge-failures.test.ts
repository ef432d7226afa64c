import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { startOpenAiFake, type OpenAiFake, type StructuredDecision } from '../fakes/openai-fake.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';
import { moved, snapshot } from '../observability/metric-reader.ts';
import { bookingAssistant, finishedEvaluation, startTestEvaluationWorker, typedSession } from './support.ts';

const JUDGE_KEY = 'sk-test-judge';
const SERVER_ERROR = 'The server had an error while processing your request. Sorry about that!';

let api: TestApi;
let judge: OpenAiFake;
let call: ReturnType<typeof apiClient>;
let stopSweep: () => void;
let assistantId: string;
/** How the judge answers the n-th request (0-based) of each schema name in the current test. */
let answer: (n: number, body: Record<string, any>) => StructuredDecision | undefined = () => undefined;
const requestsByName = new Map<string, number>();

before(async () => {
  api = await startTestApi({ withStreamGateway: true });
  judge = await startOpenAiFake(() => ({ text: 'unused' }), {
    apiKey: JUDGE_KEY,
    structured: (body) => {
      const name = body.response_format.json_schema.name as string;
      const n = requestsByName.get(name) ?? 0;
      requestsByName.set(name, n + 1);
      return answer(n, body);
    },
  });
  call = apiClient(api.baseUrl, (await api.createOrganization()).secretKey);
  await call('PUT', '/v1/provider-credentials/openai', { api_key: JUDGE_KEY, base_url: judge.baseUrl });
  assistantId = (await call('POST', '/v1/assistants', bookingAssistant())).body.id;
  stopSweep = await startTestEvaluationWorker(api);
});

after(async () => {
  stopSweep?.();
  await judge.close();
  await api.close();
  await dispose();
});

async function evaluateWith(decide: typeof answer) {
  answer = decide;
  requestsByName.clear();
  const sessionId = await typedSession(call, api.baseUrl, assistantId, ['Book a table for four on Friday.', 'That is all.']);
  return { sessionId, evaluation: await finishedEvaluation(call, sessionId, 60_000) };
}

async function eventsOf(sessionId: string) {
  return (await call('GET', `/v1/events?session_id=${sessionId}`)).body.data as Array<{ type: string; data: any }>;
}

test('a judge that fails once with HTTP 500 is retried and the evaluation completes', { timeout: 120_000 }, async () => {
  const metricsBefore = await snapshot();
  const { sessionId, evaluation } = await evaluateWith((n) => (n === 0 ? { error: { status: 500, message: SERVER_ERROR } } : undefined));
  assert.equal(evaluation.status, 'completed', evaluation.error);
  const metrics = await snapshot();
  assert.equal(moved(metricsBefore, metrics, 'echosphere_evaluation_duration_seconds_count', { outcome: 'completed' }), 1);
  assert.equal(moved(metricsBefore, metrics, 'echosphere_evaluation_failures_total'), 0);
  assert.equal(typeof evaluation.summary, 'string');
  assert.deepEqual(Object.fromEntries(requestsByName), { summary: 2, structured_data: 2, criterion: 2 });
  assert.equal(evaluation.usage.requests, 3, 'the SDK retried inside each request');
  assert.deepEqual((await eventsOf(sessionId)).filter((event) => event.type.startsWith('evaluation.')).map((event) => event.type), ['evaluation.completed']);
});

test('a judge that always fails gives a failed evaluation with the provider message, an evaluation.failed event, and the model-free scores', { timeout: 120_000 }, async () => {
  const metricsBefore = await snapshot();
  const { sessionId, evaluation } = await evaluateWith(() => ({ error: { status: 500, message: SERVER_ERROR } }));
  assert.equal(evaluation.status, 'failed');
  const metrics = await snapshot();
  assert.equal(moved(metricsBefore, metrics, 'echosphere_evaluation_duration_seconds_count', { outcome: 'failed' }), 1);
  assert.equal(moved(metricsBefore, metrics, 'echosphere_evaluation_failures_total'), 1);
  assert.equal(evaluation.error, `The judge's provider failed (gpt-4o-mini): 500 ${SERVER_ERROR}`);
  // One request and two retries per call, then it gave up.
  assert.deepEqual(Object.fromEntries(requestsByName), { summary: 3, structured_data: 3, criterion: 3 });
  assert.deepEqual(
    evaluation.scores.map((score: any) => [score.kind, score.status]),
    [['llm', 'skipped'], ['metric', 'scored'], ['match', 'scored']],
  );
  assert.match(evaluation.scores[0].rationale, /^Not scored: The judge's provider failed/);
  const events = (await eventsOf(sessionId)).filter((event) => event.type.startsWith('evaluation.'));
  assert.deepEqual(events.map((event) => event.type), ['evaluation.failed']);
  assert.equal(events[0]!.data.error, evaluation.error);
});

test('a judge that answers with invalid JSON is asked again, then the evaluation fails saying so', { timeout: 120_000 }, async () => {
  const { evaluation } = await evaluateWith((n, body) =>
    body.response_format.json_schema.name === 'summary' ? { content: '{"summary": "cut off' } : n < 1 ? { content: 'Sure! Here is the JSON:' } : undefined,
  );
  assert.equal(evaluation.status, 'failed');
  assert.match(evaluation.error, /^The judge \(gpt-4o-mini\) gave no valid summary in 3 attempts: its reply is not JSON \("\{\\"summary\\": \\"cut off"\)$/);
  assert.deepEqual(Object.fromEntries(requestsByName), { summary: 3, structured_data: 2, criterion: 2 });
  // The parts that recovered on their second request are kept: the failure is the summary's alone.
  assert.equal(evaluation.summary, null);
  assert.equal(evaluation.scores[0].status, 'scored');
  assert.notEqual(evaluation.structured_data, null);
});
