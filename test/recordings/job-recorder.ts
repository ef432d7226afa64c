import type { JobContext, JobData } from '../../core/queue/job-queue.ts';

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
