import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { typedSession } from '../evaluations/support.ts';
import type { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';
import { bookingScript, bookingsAssistant } from './bookings-assistant.ts';
import { outcomes, runSuite, startSuitesApi } from './support.ts';

/**
 * A real conversation becomes a regression scenario that replays its caller's turns, and a patched assistant that
 * breaks the original outcome fails it on the right criterion. The test sessions a run plays are real sessions
 * (transcript, recording, evaluation, events) that usage, billing and the default session list leave out.
 */

let suites: Awaited<ReturnType<typeof startSuitesApi>>;
let call: ReturnType<typeof apiClient>;
let assistantId: string;
let sessionId: string;

before(async () => {
  suites = await startSuitesApi('Bella Pasta', {}, { withStreamGateway: true });
  call = suites.call;
  const assistant = await call(
    'POST',
    '/v1/assistants',
    bookingsAssistant({
      analysis: {
        scorecard: {
          criteria: [
            { kind: 'match', name: 'Confirms the booking', mode: 'contains', pattern: 'booked' },
            { kind: 'metric', name: 'Two caller turns', metric: 'user_turns', operator: 'eq', threshold: 2 },
          ],
        },
      },
    }),
  );
  assistantId = assistant.body.id;
  sessionId = await typedSession(call, suites.api.baseUrl, assistantId, ['Can I book a table?', 'Thanks, bye']);
  // The client hears session.ended before the runtime has stored the end.
  await waitFor(async () => (await call('GET', `/v1/sessions/${sessionId}`)).body.status === 'ended', 'the session to be stored as ended', 30_000);
});
after(async () => {
  await suites?.close();
  await dispose();
});

test('a session becomes a scenario that replays its caller and fails on the criterion a patch breaks', { timeout: 600_000 }, async () => {
  const suite = (await call('POST', '/v1/test-suites', { name: 'Regressions' })).body;
  const made = await call('POST', `/v1/test-suites/${suite.id}/scenarios/from-session`, { session_id: sessionId });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual(made.body.caller, { turns: ['Can I book a table?', 'Thanks, bye'] });
  assert.equal(made.body.name, `Replay of ${sessionId}`);
  assert.equal(made.body.source_session_id, sessionId);
  assert.deepEqual(made.body.criteria.map((criterion: { name: string }) => criterion.name), ['Confirms the booking', 'Two caller turns']);
  assert.deepEqual((await call('GET', `/v1/test-suites/${suite.id}`)).body.scenarios, [made.body]);

  const passing = await runSuite(call, suite.id, { assistant_id: assistantId });
  assert.deepEqual(outcomes(passing)[made.body.name], { status: 'passed', error: null, failed: [] });

  const broken = await runSuite(call, suite.id, { assistant_id: assistantId, assistant_patch: { model: bookingScript('Sorry, we are closed.') } });
  assert.deepEqual(outcomes(broken)[made.body.name], { status: 'failed', error: null, failed: ['Confirms the booking'] });
  const [result] = broken.results;
  const transcript = await call('GET', `/v1/sessions/${result.session_id}/messages`);
  assert.deepEqual(
    transcript.body.data.map((message: { role: string; text: string }) => [message.role, message.text]),
    [['assistant', 'Hello, Bella Pasta.'], ['user', 'Can I book a table?'], ['assistant', 'Sorry, we are closed.'], ['user', 'Thanks, bye'], ['assistant', 'Goodbye!']],
  );
});

test('test sessions are real sessions, left out of usage and the default session list', { timeout: 600_000 }, async () => {
  const suite = (await call('POST', '/v1/test-suites', { name: 'Once', scenarios: [{ name: 'Books', caller: { turns: ['Book a table'] }, criteria: [{ kind: 'match', name: 'Confirms', mode: 'contains', pattern: 'booked' }] }] })).body;
  const usageBefore = (await call('GET', '/v1/usage')).body.total;
  const run = await runSuite(call, suite.id, { assistant_id: assistantId });
  const testSessionId = run.results[0].session_id as string;

  const session = await call('GET', `/v1/sessions/${testSessionId}`);
  assert.equal(session.body.source, 'test');
  assert.equal(session.body.status, 'ended');
  assert.equal(session.body.recording.status.length > 0, true);
  assert.ok(session.body.cost, 'it shows what it would have cost');
  assert.equal((await call('GET', `/v1/sessions/${testSessionId}/evaluation`)).body.status, 'completed');
  const events = await call('GET', `/v1/events?session_id=${testSessionId}&limit=100`);
  const types = events.body.data.map((event: { type: string }) => event.type);
  for (const type of ['session.created', 'session.started', 'session.ended', 'evaluation.completed']) assert.ok(types.includes(type), `${type} in ${types}`);
  const completed = await call('GET', '/v1/events?type=test_run.completed&limit=100');
  const report = completed.body.data.find((event: { data: { test_run: { id: string } } }) => event.data.test_run.id === run.id);
  assert.equal(report.data.test_run.summary.passed, 1);

  const listed = (query: string) => call('GET', `/v1/sessions${query}`).then((response) => response.body.data.map((row: { id: string }) => row.id));
  assert.ok(!(await listed('?limit=100')).includes(testSessionId));
  assert.ok((await listed('?limit=100&source=test')).includes(testSessionId));
  assert.ok((await listed('?limit=100&source=all')).includes(sessionId));
  assert.ok(!(await listed('?limit=100&source=test')).includes(sessionId));

  const usageAfter = (await call('GET', '/v1/usage')).body.total;
  assert.deepEqual(usageAfter, usageBefore);
  const records = await suites.api.db.system((trx) => trx('usage_records').where({ session_id: testSessionId }));
  assert.deepEqual(records, []);
});
