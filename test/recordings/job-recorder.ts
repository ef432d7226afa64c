import assert from 'node:assert/strict';
import type { JobContext, JobData, JobQueue } from '../../core/queue/job-queue.ts';

/** A job handler that remembers every call, and lets a test wait until a given number have arrived. */
export function jobRecorder() {
  const calls: { data: JobData; context: JobContext }[] = [];
  let notify = () => {};
  return {
    calls,
    record(data: JobData, context: JobContext) {
      calls.push({ data, context });
      notify();
    },
    async until(count: number): Promise<void> {
      while (calls.length < count) await new Promise<void>((resolve) => (notify = resolve));
    },
  };
}

/** The retry contract every queue keeps: a handler that always throws runs once per allowed attempt, numbered. */
export async function assertFailingJobRunsEveryAttempt(queue: JobQueue, name: string): Promise<void> {
  const seen = jobRecorder();
  await queue.work(name, async (data, context) => {
    seen.record(data, context);
    throw new Error('still failing');
  });
  await queue.enqueue(name, { n: 1 }, { maxAttempts: 2 });
  await seen.until(2);
  assert.deepEqual(seen.calls.map((call) => call.context), [{ attempt: 1, maxAttempts: 2 }, { attempt: 2, maxAttempts: 2 }]);
}
