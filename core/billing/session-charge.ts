import type { Transaction } from '../db/database.ts';
import type { SessionSource, SessionUsage } from '../domain/session.ts';
import { newId } from '../ids.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import { applyPriceOverride, type PriceOverride, type PriceTable } from './price-table.ts';
import { toPublicCost, type PublicCost } from '../../contract/cost.ts';
import { computeSessionCost, pricedComponents } from './session-cost.ts';

/** How sessions are charged in this process: the server-wide price table, and whether Stripe is owed meter events. */
export interface SessionBilling {
  prices: PriceTable;
  reportMeterEvents: boolean;
}

export const DEFAULT_SESSION_BILLING: SessionBilling = { prices: DEFAULT_PRICES, reportMeterEvents: false };

export interface EndingSession {
  orgId: string;
  sessionId: string;
  assistantId: string;
  assistant: unknown;
  startedAt: Date | null;
  endedAt: Date;
  usage: SessionUsage;
  /** Test runs' sessions (`test`) show their cost but are left out of usage and billing. */
  source: SessionSource;
}

/**
 * Charges a session as it ends, inside the transaction that ends it: its cost goes on the session row, each priced
 * line becomes a `usage_records` row, and a charged session owes Stripe a meter event (`meter_reports`, reported by
 * the billing worker). Either the session ends with all of it or with none of it. A session that never connected
 * used nothing and is not charged (null); a test run's session shows what it cost and is not charged.
 */
export async function chargeEndingSession(trx: Transaction, session: EndingSession, billing: SessionBilling): Promise<PublicCost | null> {
  if (!session.startedAt) return null;
  const org = await trx('organizations').where({ id: session.orgId }).first<{ price_overrides: PriceOverride | null }>('price_overrides');
  const prices = applyPriceOverride(billing.prices, org?.price_overrides);
  const durationMs = session.endedAt.getTime() - session.startedAt.getTime();
  const cost = computeSessionCost(prices, pricedComponents(session.assistant), session.usage, durationMs);
  const publicCost = toPublicCost(cost);
  await trx('sessions').where({ org_id: session.orgId, id: session.sessionId }).update({ cost: JSON.stringify(publicCost) });
  if (session.source === 'test') return publicCost;
  await trx('usage_records').insert(
    cost.lines.map((line) => ({
      id: newId('usageRecord'),
      org_id: session.orgId,
      session_id: session.sessionId,
      assistant_id: session.assistantId,
      metric: line.item,
      provider: line.provider,
      model: line.model,
      quantity: line.quantity.toString(),
      unit: line.unit,
      price_unit: line.priceUnit,
      price_unit_size: line.priceUnitSize.toString(),
      unit_price_micro_usd: line.unitPriceMicros.toString(),
      cost_micro_usd: line.costMicros.toString(),
      created_at: session.endedAt,
    })),
  );
  if (billing.reportMeterEvents && cost.totalMicros > 0n) {
    await trx('meter_reports').insert({
      session_id: session.sessionId,
      org_id: session.orgId,
      value_micro_usd: cost.totalMicros.toString(),
      occurred_at: session.endedAt,
    });
  }
  return publicCost;
}
