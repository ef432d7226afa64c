import type { SecretBox } from '../crypto/secret-box.ts';
import type { Transaction } from '../db/database.ts';
import { newId } from '../ids.ts';
import { generateWebhookSecret } from './webhook-signer.ts';
import { fetchPage, type Page } from '../db/pagination.ts';

type DisabledReason = 'manual' | 'gone' | 'failing';

export interface WebhookEndpointRow {
  id: string;
  org_id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: DisabledReason | null;
  disabled_at: Date | null;
  sealed_secret: string;
  sealed_previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewWebhookEndpoint {
  orgId: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
}

export async function createWebhookEndpoint(trx: Transaction, secretBox: SecretBox, input: NewWebhookEndpoint) {
  const secret = generateWebhookSecret();
  const [row] = await trx<WebhookEndpointRow>('webhook_endpoints')
    .insert({
      id: newId('webhookEndpoint'),
      org_id: input.orgId,
      url: input.url,
      description: input.description,
      event_types: JSON.stringify(input.eventTypes) as never,
      enabled: input.enabled,
      disabled_reason: input.enabled ? null : 'manual',
      disabled_at: input.enabled ? null : (trx.fn.now() as never),
      sealed_secret: secretBox.seal(secret),
    })
    .returning('*');
  return { row: row!, secret };
}

export async function findWebhookEndpoint(trx: Transaction, orgId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  return trx<WebhookEndpointRow>('webhook_endpoints').where({ org_id: orgId, id }).first();
}

export interface WebhookEndpointChanges {
  url?: string | undefined;
  description?: string | undefined;
  eventTypes?: string[] | undefined;
  enabled?: boolean | undefined;
}

export async function updateWebhookEndpoint(
  trx: Transaction,
  orgId: string,
  id: string,
  changes: WebhookEndpointChanges,
): Promise<WebhookEndpointRow | undefined> {
  const update: Record<string, unknown> = { updated_at: trx.fn.now() };
  if (changes.url !== undefined) update.url = changes.url;
  if (changes.description !== undefined) update.description = changes.description;
  if (changes.eventTypes !== undefined) update.event_types = JSON.stringify(changes.eventTypes);
  if (changes.enabled === true) {
    // Re-enabling starts a clean record: the 5-day failure clock restarts from the next failure.
    Object.assign(update, { enabled: true, disabled_reason: null, disabled_at: null, failing_since: null });
  } else if (changes.enabled === false) {
    Object.assign(update, {
      enabled: false,
      disabled_reason: trx.raw(`CASE WHEN enabled THEN 'manual' ELSE disabled_reason END`),
      disabled_at: trx.raw('coalesce(disabled_at, now())'),
    });
  }
  const [row] = await trx<WebhookEndpointRow>('webhook_endpoints').where({ org_id: orgId, id }).update(update).returning('*');
  return row;
}

export async function deleteWebhookEndpoint(trx: Transaction, orgId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  const [row] = await trx<WebhookEndpointRow>('webhook_endpoints').where({ org_id: orgId, id }).delete().returning('*');
  return row;
}

/**
 * A new current secret; the old one keeps signing (a second signature) for `overlapS` seconds so receivers can switch
 * without dropping a message. Rotating again during an overlap retires the older previous secret at once.
 */
export async function rotateWebhookEndpointSecret(trx: Transaction, secretBox: SecretBox, orgId: string, id: string, overlapS: number) {
  const secret = generateWebhookSecret();
  const [row] = await trx<WebhookEndpointRow>('webhook_endpoints')
    .where({ org_id: orgId, id })
    .update({
      sealed_previous_secret: overlapS > 0 ? (trx.ref('sealed_secret') as never) : null,
      previous_secret_expires_at: overlapS > 0 ? (trx.raw(`now() + ? * interval '1 second'`, [overlapS]) as never) : null,
      sealed_secret: secretBox.seal(secret),
      updated_at: trx.fn.now() as never,
    })
    .returning('*');
  return row ? { row, secret } : undefined;
}

export interface EndpointSecrets {
  sealed_secret: string;
  sealed_previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

/** The secrets that sign a message now: the current one, plus the previous one while its overlap lasts. */
export function signingSecrets(endpoint: EndpointSecrets, secretBox: Pick<SecretBox, 'open'>, nowMs: number = Date.now()): string[] {
  const secrets = [secretBox.open(endpoint.sealed_secret)];
  const expires = endpoint.previous_secret_expires_at;
  if (endpoint.sealed_previous_secret && expires && expires.getTime() > nowMs) secrets.push(secretBox.open(endpoint.sealed_previous_secret));
  return secrets;
}

/**
 * Starts endpoints' failure clocks from a batch of attempts and disables the ones that answered 410 Gone or have been
 * failing without a single success for `disableAfterMs`. Returns the endpoints disabled by this call. System role.
 * An endpoint with a success in the batch is not failing; clearing the clocks of the endpoints that succeeded is
 * part of writing the outcomes (`recordOutcomes`), which runs on every pass.
 */
export async function recordEndpointHealth(
  trx: Transaction,
  health: { succeeded: string[]; failed: string[]; gone: string[] },
  disableAfterMs: number,
): Promise<WebhookEndpointRow[]> {
  const succeeded = new Set(health.succeeded);
  const failed = [...new Set(health.failed)].filter((id) => !succeeded.has(id));
  if (failed.length > 0) {
    await trx('webhook_endpoints').whereIn('id', failed).whereNull('failing_since').update({ failing_since: trx.fn.now() });
  }
  const disabled: WebhookEndpointRow[] = [];
  const disable = (reason: DisabledReason) => ({ enabled: false, disabled_reason: reason, disabled_at: trx.fn.now(), updated_at: trx.fn.now() });
  if (health.gone.length > 0) {
    disabled.push(...(await trx<WebhookEndpointRow>('webhook_endpoints').whereIn('id', [...new Set(health.gone)]).andWhere({ enabled: true }).update(disable('gone') as never).returning('*')));
  }
  if (failed.length > 0) {
    disabled.push(
      ...(await trx<WebhookEndpointRow>('webhook_endpoints')
        .whereIn('id', failed)
        .andWhere({ enabled: true })
        .andWhere('failing_since', '<=', trx.raw(`now() - ? * interval '1 millisecond'`, [disableAfterMs]))
        .update(disable('failing') as never)
        .returning('*')),
    );
  }
  return disabled;
}

export async function listWebhookEndpoints(trx: Transaction, orgId: string, page: Page) {
  return fetchPage<WebhookEndpointRow>(trx('webhook_endpoints').where({ org_id: orgId }), page);
}
