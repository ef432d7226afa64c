import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { attemptsAllowed, errorReporter, startWorkerSlots, type LeasedDriverOptions } from './driver-options.ts';
import type { EnqueueOptions, JobData, JobHandler, JobQueue, WorkOptions } from './job-queue.ts';
import { runLeased } from './leased-job.ts';

/** `leaseS` is the message's visibility timeout while a handler runs. */
export interface SqsQueueOptions extends LeasedDriverOptions {
  queueUrl: string;
  region: string;
  endpoint?: string;
  client?: SQSClient;
}

interface Envelope {
  queue: string;
  data: JobData;
  maxAttempts: number;
}

/**
 * Jobs on one Amazon SQS queue (each message names its logical queue). A FIFO queue (`.fifo`) deduplicates by
 * singleton key for five minutes; on a standard queue duplicates are possible and handlers' idempotency covers them.
 * Attempts come from SQS's own receive count, so a crashed worker's message simply reappears after the timeout.
 */
export class SqsQueue implements JobQueue {
  readonly kind = 'sqs' as const;
  private readonly client: SQSClient;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly leaseS: number;
  private readonly fifo: boolean;
  private readonly onError: (error: unknown) => void;
  private readonly loops: Promise<void>[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly options: SqsQueueOptions) {
    this.client = options.client ?? new SQSClient({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
    this.leaseS = options.leaseS ?? 120;
    this.fifo = options.queueUrl.endsWith('.fifo');
    this.onError = errorReporter(options);
  }

  async enqueue(queue: string, data: JobData, options: EnqueueOptions = {}): Promise<void> {
    const envelope: Envelope = { queue, data, maxAttempts: attemptsAllowed(options) };
    const key = options.singletonKey ?? `${queue}:${JSON.stringify(data)}`;
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify(envelope),
        ...(this.fifo
          ? { MessageGroupId: key.slice(0, 128), MessageDeduplicationId: key.replace(/[^\w!-/:-@[-`{-~]/g, '_').slice(0, 128) }
          : { DelaySeconds: Math.min(900, Math.round((options.delayMs ?? 0) / 1000)) }),
      }),
    );
  }

  async work(queue: string, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    this.handlers.set(queue, handler);
    await startWorkerSlots(options, () => this.loops.push(this.loop()));
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const result = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: 20,
            VisibilityTimeout: this.leaseS,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.abort.signal },
        );
        for (const message of result.Messages ?? []) await this.handle(message.Body ?? '', message.ReceiptHandle!, Number(message.Attributes?.ApproximateReceiveCount ?? 1));
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async handle(body: string, receiptHandle: string, attempt: number): Promise<void> {
    const remove = () => this.client.send(new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: receiptHandle }));
    let envelope: Envelope;
    try {
      envelope = JSON.parse(body) as Envelope;
    } catch {
      await remove();
      return;
    }
    const handler = this.handlers.get(envelope.queue);
    if (!handler) return; // Another process consumes this logical queue; the message becomes visible again.
    const hideFor = (seconds: number) =>
      this.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    await runLeased(
      { data: envelope.data, attempt, maxAttempts: envelope.maxAttempts },
      handler,
      { renew: () => hideFor(this.leaseS), complete: remove, retry: (delayS) => hideFor(delayS), giveUp: remove },
      this.leaseS,
      this.onError,
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }
}
