import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

/**
 * Amazon SQS over the AWS JSON 1.0 protocol the SDK v3 client speaks (`POST /`, `X-Amz-Target: AmazonSQS.<Action>`,
 * `Content-Type: application/x-amz-json-1.0`, PascalCase members): SendMessage, ReceiveMessage (long polling),
 * DeleteMessage, ChangeMessageVisibility. Messages have visibility timeouts (queue default 30 s, or per receive),
 * receive counts (`ApproximateReceiveCount`), per-message delays on standard queues, and on `.fifo` queues
 * five-minute deduplication by MessageDeduplicationId and one in-flight message per message group. Bodies are
 * answered with their MD5s, which the SDK checks. SigV4 must be present; it is not verified.
 */
export interface FakeSqs {
  endpoint: string;
  /** A queue URL on this server (queues exist on first use). */
  queueUrl(name: string): string;
  /** Messages still in a queue (visible, delayed or in flight). */
  depth(name: string): number;
  /** Every ChangeMessageVisibility the server accepted, in order. */
  visibilityChanges: { queue: string; visibilityTimeoutS: number }[];
  sent: number;
  close(): Promise<void>;
}

interface StoredMessage {
  id: string;
  body: string;
  groupId?: string;
  visibleAtMs: number;
  receiveCount: number;
  receiptHandle?: string;
  sentAtMs: number;
}

interface Queue {
  messages: StoredMessage[];
  /** Deduplication ids of a FIFO queue, with when they stop deduplicating. */
  deduplicated: Map<string, { messageId: string; untilMs: number }>;
}

const DEFAULT_VISIBILITY_S = 30;
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startFakeSqs(): Promise<FakeSqs> {
  const queues = new Map<string, Queue>();
  const visibilityChanges: FakeSqs['visibilityChanges'] = [];
  const state = { sent: 0 };
  const open = new Set<() => void>();
  let closed = false;

  const queueOf = (url: unknown): { name: string; queue: Queue } => {
    if (typeof url !== 'string') throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    const name = url.slice(url.lastIndexOf('/') + 1);
    if (!name) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    let queue = queues.get(name);
    if (!queue) queues.set(name, (queue = { messages: [], deduplicated: new Map() }));
    return { name, queue };
  };
  const findByHandle = (queue: Queue, handle: unknown) => {
    const message = queue.messages.find((candidate) => candidate.receiptHandle === handle);
    if (!message) throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${String(handle)}" is not a valid receipt handle.`);
    return message;
  };

  function takeVisible(name: string, queue: Queue, max: number, visibilityS: number): StoredMessage[] {
    const now = Date.now();
    const fifo = name.endsWith('.fifo');
    const busyGroups = new Set(queue.messages.filter((message) => message.groupId && message.visibleAtMs > now && message.receiveCount > 0).map((message) => message.groupId));
    const taken: StoredMessage[] = [];
    for (const message of queue.messages) {
      if (taken.length >= max) break;
      if (message.visibleAtMs > now) continue;
      if (fifo && message.groupId && busyGroups.has(message.groupId)) continue;
      message.receiveCount++;
      message.receiptHandle = randomUUID();
      message.visibleAtMs = now + visibilityS * 1000;
      if (message.groupId) busyGroups.add(message.groupId);
      taken.push(message);
    }
    return taken;
  }

  const actions: Record<string, (input: Record<string, unknown>, signal: { aborted: boolean }) => Promise<unknown>> = {
    async SendMessage(input) {
      const { name, queue } = queueOf(input.QueueUrl);
      const body = input.MessageBody;
      if (typeof body !== 'string' || body.length === 0) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
      const fifo = name.endsWith('.fifo');
      if (fifo && typeof input.MessageGroupId !== 'string') throw new SqsError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
      if (fifo && input.DelaySeconds) throw new SqsError('InvalidParameterValue', 'Value for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.');
      const now = Date.now();
      if (fifo) {
        const dedupId = typeof input.MessageDeduplicationId === 'string' ? input.MessageDeduplicationId : undefined;
        if (!dedupId) throw new SqsError('InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        const seen = queue.deduplicated.get(dedupId);
        // A duplicate within the window is accepted and answered like the original, but not enqueued.
        if (seen && seen.untilMs > now) return { MessageId: seen.messageId, MD5OfMessageBody: md5(body) };
        const id = randomUUID();
        queue.deduplicated.set(dedupId, { messageId: id, untilMs: now + DEDUPLICATION_WINDOW_MS });
        queue.messages.push({ id, body, groupId: String(input.MessageGroupId), visibleAtMs: now, receiveCount: 0, sentAtMs: now });
        state.sent++;
        return { MessageId: id, MD5OfMessageBody: md5(body), SequenceNumber: String(state.sent).padStart(20, '0') };
      }
      const id = randomUUID();
      queue.messages.push({ id, body, visibleAtMs: now + Number(input.DelaySeconds ?? 0) * 1000, receiveCount: 0, sentAtMs: now });
      state.sent++;
      return { MessageId: id, MD5OfMessageBody: md5(body) };
    },

    async ReceiveMessage(input, signal) {
      const { name, queue } = queueOf(input.QueueUrl);
      const max = Number(input.MaxNumberOfMessages ?? 1);
      if (!(max >= 1 && max <= 10)) throw new SqsError('InvalidParameterValue', 'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.');
      const visibilityS = Number(input.VisibilityTimeout ?? DEFAULT_VISIBILITY_S);
      const deadline = Date.now() + Number(input.WaitTimeSeconds ?? 0) * 1000;
      const wanted = new Set([...((input.MessageSystemAttributeNames as string[] | undefined) ?? []), ...((input.AttributeNames as string[] | undefined) ?? [])]);
      for (;;) {
        const taken = takeVisible(name, queue, max, visibilityS);
        if (taken.length > 0 || Date.now() >= deadline || signal.aborted || closed) {
          return {
            Messages: taken.map((message) => ({
              MessageId: message.id,
              ReceiptHandle: message.receiptHandle,
              MD5OfBody: md5(message.body),
              Body: message.body,
              Attributes: {
                ...(wanted.has('All') || wanted.has('ApproximateReceiveCount') ? { ApproximateReceiveCount: String(message.receiveCount) } : {}),
                ...(wanted.has('All') || wanted.has('SentTimestamp') ? { SentTimestamp: String(message.sentAtMs) } : {}),
                ...(message.groupId && (wanted.has('All') || wanted.has('MessageGroupId')) ? { MessageGroupId: message.groupId } : {}),
              },
            })),
          };
        }
        // Long polling: look again shortly (messages arrive, delays and visibility timeouts lapse).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(25, Math.max(0, deadline - Date.now())));
          function done() {
            clearTimeout(timer);
            open.delete(done);
            resolve();
          }
          open.add(done);
        });
      }
    },

    async DeleteMessage(input) {
      const { queue } = queueOf(input.QueueUrl);
      const message = findByHandle(queue, input.ReceiptHandle);
      queue.messages.splice(queue.messages.indexOf(message), 1);
      return {};
    },

    async ChangeMessageVisibility(input) {
      const { name, queue } = queueOf(input.QueueUrl);
      const timeoutS = Number(input.VisibilityTimeout);
      if (!(timeoutS >= 0 && timeoutS <= 43_200)) throw new SqsError('InvalidParameterValue', 'Value for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.');
      const message = findByHandle(queue, input.ReceiptHandle);
      if (message.visibleAtMs <= Date.now()) throw new SqsError('MessageNotInflight', 'Message is not in flight.');
      message.visibleAtMs = Date.now() + timeoutS * 1000;
      visibilityChanges.push({ queue: name, visibilityTimeoutS: timeoutS });
      return {};
    },
  };

  const server = http.createServer(async (req, res) => {
    const signal = { aborted: false };
    res.on('close', () => {
      signal.aborted = true;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...headers });
      res.end(JSON.stringify(payload));
    };
    try {
      if (req.method !== 'POST' || String(req.headers['content-type']) !== 'application/x-amz-json-1.0') {
        throw new SqsError('InvalidAction', 'Only the AWS JSON 1.0 protocol is served here.');
      }
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) throw new SqsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.startsWith('AmazonSQS.') ? actions[target.slice('AmazonSQS.'.length)] : undefined;
      if (!action) throw new SqsError('InvalidAction', `The action ${target} is not valid for this endpoint.`);
      reply(200, await action(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>, signal));
    } catch (error) {
      const code = error instanceof SqsError ? error.code : 'InternalError';
      const status = error instanceof SqsError ? error.status : 500;
      // JSON-protocol SQS names the error in __type and, for older query-protocol clients, x-amzn-query-error.
      reply(status, { __type: `com.amazonaws.sqs#${code}`, message: (error as Error).message }, { 'x-amzn-query-error': `AWS.SimpleQueueService.${code};Sender` });
    }
  });
  const port = await listenOnLoopback(server);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl: (name) => `${endpoint}/111122223333/${name}`,
    depth: (name) => queues.get(name)?.messages.length ?? 0,
    visibilityChanges,
    get sent() {
      return state.sent;
    },
    async close() {
      closed = true;
      for (const wake of [...open]) wake();
      await closeServer(server);
    },
  };
}
