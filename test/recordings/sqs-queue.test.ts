import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueue } from '../../core/queue/sqs-queue.ts';
import { startFakeSqs, type FakeSqs } from '../fakes/sqs-server.ts';
import { assertFailingJobRunsEveryAttempt, jobRecorder } from './job-recorder.ts';

let sqs: FakeSqs;
const queues: SqsQueue[] = [];

before(async () => {
  sqs = await startFakeSqs();
});

after(async () => {
  await Promise.all(queues.map((queue) => queue.stop()));
  await sqs.close();
});

const client = () => new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });

function sqsQueue(name: string, leaseS = 30): SqsQueue {
  const queue = new SqsQueue({ queueUrl: sqs.queueUrl(name), region: 'us-east-1', leaseS, client: client() });
  queues.push(queue);
  return queue;
}

async function drained(name: string): Promise<void> {
  while (sqs.depth(name) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('an enqueued job reaches the handler of its logical queue and is deleted once handled', async () => {
  const queue = sqsQueue('basic');
  const seen = jobRecorder();
  await queue.work('recording.transcode', async (data, context) => seen.record(data, context));
  await queue.enqueue('recording.transcode', { recordingId: 'rec_1', seq: 3 });
  await seen.until(1);
  assert.deepEqual(seen.calls[0], { data: { recordingId: 'rec_1', seq: 3 }, context: { attempt: 1, maxAttempts: 5 } });
  await drained('basic');
});

test('a failing handler is retried after a backoff, then given up after its last attempt', async () => {
  const queue = sqsQueue('retries');
  await assertFailingJobRunsEveryAttempt(queue, 'flaky');
  // The first failure hid the message for retryDelayS(1) = 2 s (SQS's receive count drives the attempt number).
  assert.deepEqual(sqs.visibilityChanges.filter((change) => change.queue === 'retries').map((change) => change.visibilityTimeoutS), [2]);
  // The last attempt deletes the message instead of hiding it again.
  await drained('retries');
});

test('a job whose worker died after receiving it is delivered again once its visibility timeout lapses', async () => {
  const name = 'crashes';
  const queue = sqsQueue(name);
  await queue.enqueue('recording.segment', { seq: 7 });
  // A worker takes the message and dies: nobody deletes it or extends its visibility.
  const taken = await client().send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl(name), MaxNumberOfMessages: 1, VisibilityTimeout: 1 }));
  assert.equal(taken.Messages?.length, 1);
  const seen = jobRecorder();
  await queue.work('recording.segment', async (data, context) => seen.record(data, context));
  await seen.until(1);
  assert.deepEqual(seen.calls[0], { data: { seq: 7 }, context: { attempt: 2, maxAttempts: 5 } });
  await drained(name);
});

test('on a FIFO queue a singleton key is enqueued once (MessageDeduplicationId); on a standard queue the handler absorbs it', async () => {
  const fifo = sqsQueue('jobs.fifo');
  const seen = jobRecorder();
  await fifo.enqueue('recording.transcode', { recordingId: 'rec_9' }, { singletonKey: 'rec_9' });
  await fifo.enqueue('recording.transcode', { recordingId: 'rec_9' }, { singletonKey: 'rec_9' });
  await fifo.enqueue('recording.transcode', { recordingId: 'rec_10' }, { singletonKey: 'rec_10' });
  assert.equal(sqs.depth('jobs.fifo'), 2);
  await fifo.work('recording.transcode', async (data, context) => seen.record(data, context));
  await seen.until(2);
  await drained('jobs.fifo');
  assert.deepEqual(seen.calls.map((call) => call.data.recordingId).sort(), ['rec_10', 'rec_9']);

  // SQS standard queues cannot deduplicate: both copies are delivered, and idempotent handlers make that harmless.
  const standard = sqsQueue('standard');
  await standard.enqueue('recording.transcode', { recordingId: 'rec_9' }, { singletonKey: 'rec_9' });
  await standard.enqueue('recording.transcode', { recordingId: 'rec_9' }, { singletonKey: 'rec_9' });
  assert.equal(sqs.depth('standard'), 2);
});

test('a running handler keeps its message invisible by extending the visibility timeout', async () => {
  const queue = sqsQueue('long', 1);
  const seen = jobRecorder();
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  await queue.work('slow', async (data, context) => {
    seen.record(data, context);
    await finished;
  });
  await queue.enqueue('slow', { n: 1 });
  await seen.until(1);
  // Wait for a few extensions (every third of the 1 s lease); without them the message would be delivered again.
  while (sqs.visibilityChanges.filter((change) => change.queue === 'long').length < 4) await new Promise((resolve) => setTimeout(resolve, 50));
  finish();
  await drained('long');
  assert.equal(seen.calls.length, 1);
});
