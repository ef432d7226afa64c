import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { exitCode, printedKey, startEchoSphere } from '../cli/start-process.ts';
import { apiClient } from '../support/client.ts';
import { bookingAssistant, finishedEvaluation, typedSession } from './support.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-evaluations-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('the embedded default with no keys scores metric and match criteria and skips the judge with the reason', { timeout: 180_000 }, async () => {
  const server = startEchoSphere({ ECHOSPHERE_DATA_DIR: dataDir, DATABASE_URL: '', OPENAI_API_KEY: '', LOG_LEVEL: 'warn' });
  try {
    const baseUrl = await server.ready;
    const call = apiClient(baseUrl, printedKey(server.output())!.key);
    const assistant = await call('POST', '/v1/assistants', bookingAssistant(null));
    assert.equal(assistant.status, 201, JSON.stringify(assistant.body));
    const sessionId = await typedSession(call, baseUrl, assistant.body.id, ['I want to book a table for two.', 'Bye.']);

    const evaluation = await finishedEvaluation(call, sessionId, 60_000);
    assert.equal(evaluation.status, 'completed');
    const reason = 'No judge model: there is no openai API key (add a provider credential for the organization, or set OPENAI_API_KEY on the server).';
    assert.equal(evaluation.skipped_reason, reason);
    assert.deepEqual([evaluation.summary, evaluation.structured_data, evaluation.judge, evaluation.usage, evaluation.error], [null, null, null, null, null]);
    assert.deepEqual(
      evaluation.scores.map((score: any) => [score.criterion, score.status, score.passed, score.score]),
      [
        ['Confirmed the booking', 'skipped', null, null],
        ['Caller spoke', 'scored', true, 1],
        ['Confirms', 'scored', true, 1],
      ],
    );
    assert.equal(evaluation.scores[0].rationale, reason);
    assert.ok(evaluation.scores.slice(1).every((score: any) => score.evidence.length > 0));
    assert.deepEqual([evaluation.overall_score, evaluation.passed], [1, true]);
    assert.deepEqual((await call('GET', `/v1/sessions/${sessionId}`)).body.evaluation, { status: 'completed', passed: true, overall_score: 1 });
  } finally {
    const stopped = exitCode(server.child);
    server.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
  }
});
