import { DEFAULT_MAX_ATTEMPTS, type EnqueueOptions, type WorkOptions } from './job-queue.ts';

/**
 * The options and defaults every queue driver shares, kept in one place so the drivers cannot drift apart on how
 * many attempts a job gets, how many jobs a worker runs at once, or where errors nobody awaits are reported.
 */
export interface DriverOptions {
  /** Errors no caller awaits: a failed handler, a lease that could not be renewed, a lost connection. */
  onError?: (error: unknown) => void;
}

/** A driver that hides a claimed job from other workers for a lease, renewed while its handler runs. */
export interface LeasedDriverOptions extends DriverOptions {
  /** How long a claimed job stays invisible to other workers; renewed every third of it while the handler runs. */
  leaseS?: number;
}

export function errorReporter(options: DriverOptions): (error: unknown) => void {
  return options.onError ?? (() => {});
}

export function attemptsAllowed(options: EnqueueOptions): number {
  return options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
}

/**
 * Starts one consumer per concurrency slot (one by default). `start` may return a promise that resolves once its
 * consumer runs, never one that lasts as long as the consumer.
 */
export async function startWorkerSlots(options: WorkOptions, start: () => unknown): Promise<void> {
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, start));
}
