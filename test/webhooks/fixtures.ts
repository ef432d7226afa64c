import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database } from '../../core/db/database.ts';
import type { EventType } from '../../core/webhooks/catalogue.ts';
import { appendEvent } from '../../core/webhooks/outbox.ts';
import { newId } from '../../core/ids.ts';
import { createLogger } from '../../core/logger.ts';
import { createWebhookEndpoint } from '../../core/webhooks/endpoints.ts';
import { WebhookDeliverer, type WebhookDelivererOptions } from '../../workers/webhooks/webhook-deliverer.ts';

export const quietLogger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', format: 'json' });

export function testSecretBox(): SecretBox {
  return new SecretBox(randomBytes(32));
}

export async function createOrganization(
  db: Database,
  secretBox: SecretBox,
  toolSigningSecret = 'whsec_' + randomBytes(32).toString('base64'),
): Promise<string> {
  const orgId = newId('organization');
  await db.system((trx) => trx('organizations').insert({ id: orgId, name: 'Test org', tool_signing_secret: secretBox.seal(toolSigningSecret) }));
  return orgId;
}

export async function createEndpoint(db: Database, secretBox: SecretBox, orgId: string, url: string, eventTypes: string[] = ['*']) {
  const { row, secret } = await db.tenant(orgId, (trx) => createWebhookEndpoint(trx, secretBox, { orgId, url, description: '', eventTypes, enabled: true }));
  return { id: row.id, secret };
}

export async function recordEvent(db: Database, orgId: string, type: EventType = 'session.created', extra: { sessionId?: string; data?: Record<string, unknown> } = {}) {
  return db.tenant(orgId, (trx) =>
    appendEvent(trx, { orgId, type, data: extra.data ?? { note: 'test' }, ...(extra.sessionId ? { sessionId: extra.sessionId } : {}) }),
  );
}

/** A deliverer with test timings: fast retries, a short timeout, frequent polling. */
export function testDeliverer(db: Database, secretBox: SecretBox, options: Partial<WebhookDelivererOptions> = {}): WebhookDeliverer {
  return new WebhookDeliverer({
    db,
    secretBox,
    logger: quietLogger,
    allowPrivateUrls: true,
    attemptTimeoutMs: 2000,
    retryPolicy: { delaysMs: [20, 20, 20, 20, 20, 20, 20], jitter: 0 },
    pollIntervalMs: 25,
    ...options,
  });
}
