/**
 * Durable background jobs. Every implementation delivers a job at least once, retries a failed or abandoned one
 * (its worker crashed) with exponential backoff, and drops an enqueue whose singleton key names a job that is still
 * queued or running. Handlers must therefore be idempotent: running one twice produces the same objects and rows.
 */
export interface JobQueue {
  readonly kind: 'database' | 'pg-boss' | 'sqs';
  enqueue(queue: string, data: JobData, options?: EnqueueOptions): Promise<void>;
  /** Starts consuming a queue; resolves once the worker is running. */
  work(queue: string, handler: JobHandler, options?: WorkOptions): Promise<void>;
  /** Stops taking jobs and waits for running handlers to settle. */
  stop(): Promise<void>;
  /** Jobs waiting (due or scheduled, not running) on each of these queues; absent where the backend has its own gauge. */
  depth?(queues: readonly string[]): Promise<Record<string, number>>;
}

export type JobData = Record<string, string | number | boolean | null>;

export interface EnqueueOptions {
  singletonKey?: string;
  /** Attempts before the job is given up (the handler sees `attempt === maxAttempts` on the last one). */
  maxAttempts?: number;
  delayMs?: number;
}

export interface WorkOptions {
  concurrency?: number;
}

export interface JobContext {
  attempt: number;
  maxAttempts: number;
}

export type JobHandler = (data: JobData, context: JobContext) => Promise<void>;

export const DEFAULT_MAX_ATTEMPTS = 5;

/** Seconds before retry number `attempt` (1-based): 2, 4, 8, … capped at 5 minutes. */
export function retryDelayS(attempt: number): number {
  return Math.min(300, 2 ** Math.max(1, attempt));
}
