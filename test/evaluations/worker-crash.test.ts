import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { analysisConfig } from '../../core/evaluations/analysis-config.ts';
import { enqueueEvaluation } from '../../core/evaluations/evaluation-jobs.ts';
import { newId } from '../../core/ids.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { insertPendingEvaluation } from '../../core/repositories/evaluations.ts';
import { startOpenAiFake } from '../fakes/openai-fake.ts';
import { openTestDatabase } from '../support/database.ts';
import { startScriptProcess } from '../support/script-process.ts';

function startWorker(env: NodeJS.ProcessEnv, args: string[]) {
  return startScriptProcess(path.join(import.meta.dirname, 'evaluation-worker-process.ts'), args, env);
}

/** An ended session with a short transcript, its organization holding an openai key for `judgeUrl`. */
async function endedSession(db: Database, secretBox: SecretBox, judgeUrl: string) {
  const orgId = newId('organization');
  const sessionId = newId('session');
  const assistantId = newId('assistant');
  await db.system(async (trx) => {
    await trx('organizations').insert({ id: orgId, name: 'Crash test', tool_signing_secret: secretBox.seal('whsec_x') });
    await trx('provider_credentials').insert({ org_id: orgId, provider: 'openai', sealed_api_key: secretBox.seal('sk-test'), api_key_last4: 'test', base_url: judgeUrl });
    await trx('sessions').insert({
      id: sessionId, org_id: orgId, assistant_id: assistantId, assistant: '{}', transport: 'websocket', status: 'ended', ended_reason: 'customer-ended',
      audio: JSON.stringify({ encoding: 'pcm_s16le', sample_rate_hz: 16000 }), started_at: new Date(Date.now() - 20_000), ended_at: new Date(),
    });
    for (const [index, [role, text]] of [['assistant', 'Hello, how can I help?'], ['user', 'A table for two, please.'], ['assistant', 'Booked for two.']].entries()) {
      await trx('messages').insert({ id: newId('message'), org_id: orgId, session_id: sessionId, role, text, start_ms: index * 3000, end_ms: index * 3000 + 2000 });
    }
  });
  return { orgId, sessionId, assistantId };
}

test('an evaluation whose worker is killed mid-job is finished by the next worker, with one result and one event', { timeout: 120_000 }, async () => {
  // The first worker's judge request never gets an answer: it is killed while it waits.
  let firstRequestSeen!: () => void;
  const firstRequest = new Promise<void>((resolve) => (firstRequestSeen = resolve));
  let requests = 0;
  const judge = await startOpenAiFake(() => ({ text: 'unused' }), {
    structured: async () => {
      if (++requests === 1) {
        firstRequestSeen();
        await new Promise(() => {});
      }
      return { json: { summary: 'Two people booked a table.' } };
    },
  });
  const folder = fs.mkdtempSync(path.join(tmpdir(), 'echosphere-evaluation-crash-'));
  const secretKey = randomBytes(32);
  const secretBox = new SecretBox(secretKey);
  // The worker is another process: PostgreSQL when configured, else an embedded database on disk the two take turns to open.
  const server = process.env.TEST_DATABASE_URL ? await openTestDatabase() : undefined;
  const dbEnv: NodeJS.ProcessEnv = server?.url ? { DATABASE_URL: server.url } : { ECHOSPHERE_TEST_PGLITE_DIR: path.join(folder, 'db') };
  const env = { ...dbEnv, ECHOSPHERE_TEST_SECRET_KEY: secretKey.toString('base64') };
  let db: Database = server ?? (await Database.open({ dataDir: dbEnv.ECHOSPHERE_TEST_PGLITE_DIR }));
  if (!server) await db.migrate();
  try {
    const { orgId, sessionId, assistantId } = await endedSession(db, secretBox, judge.baseUrl);
    const analysis = await analysisConfig.parseAsync({ summary: {}, scorecard: { criteria: [{ kind: 'match', name: 'Books', mode: 'contains', pattern: 'booked' }] } });
    const evaluation = await db.tenant(orgId, (trx) => insertPendingEvaluation(trx, { orgId, sessionId, assistantId, analysis }));
    await enqueueEvaluation(new DatabaseQueue(db.knex), { orgId, evaluationId: evaluation.id });
    if (!server) await db.close();

    const first = startWorker(env, [orgId, evaluation.id]);
    await firstRequest;
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startWorker(env, [orgId, evaluation.id]);
    assert.equal(await second.exited, 0);

    if (!server) db = await Database.open({ dataDir: dbEnv.ECHOSPHERE_TEST_PGLITE_DIR });
    const rows = await db.system((trx) => trx('evaluations').where({ session_id: sessionId }));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'completed', rows[0].error ?? undefined);
    assert.equal(rows[0].summary, 'Two people booked a table.');
    assert.deepEqual(rows[0].scores.map((score: { passed: boolean }) => score.passed), [true]);
    const events = await db.system((trx) => trx('events').where({ session_id: sessionId }).pluck('type'));
    assert.deepEqual(events, ['evaluation.completed']);
    const jobs = await db.system((trx) => trx('jobs').where({ queue: 'evaluation.run' }));
    assert.deepEqual(jobs.map((job: { state: string; attempts: number }) => [job.state, job.attempts]), [['completed', 2]]);
    assert.equal(requests, 2);
  } finally {
    await db.close().catch(() => {});
    await judge.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
