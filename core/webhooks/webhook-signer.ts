import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signing. A secret is `whsec_` + base64 of 32 random bytes; the
 * HMAC key is the decoded bytes. The signature is `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`; several
 * signatures (one per valid secret, during a rotation overlap) are separated by spaces.
 */
const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export interface WebhookMessage {
  /** The same on every retry of one message, so receivers can deduplicate: the event id. */
  id: string;
  /** Seconds since the epoch, of this attempt. */
  timestampS: number;
  body: string;
}

/** The HMAC key of a secret: base64 after an optional `whsec_` prefix, as the reference libraries read it. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret, 'base64');
}

function signature(secret: string, message: WebhookMessage): string {
  const key = secretKey(secret);
  const mac = createHmac('sha256', key).update(`${message.id}.${message.timestampS}.${message.body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers, signed with every secret given (current first). */
export function webhookHeaders(message: WebhookMessage, secrets: readonly string[]): Record<string, string> {
  if (secrets.length === 0) throw new Error('A webhook needs at least one signing secret');
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestampS),
    'webhook-signature': secrets.map((secret) => signature(secret, message)).join(' '),
  };
}
