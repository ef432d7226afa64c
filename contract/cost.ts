import type { SessionCost } from '../core/billing/session-cost.ts';
import { formatUsd } from '../core/billing/money.ts';

export type PublicCost = ReturnType<typeof toPublicCost>;

/** The session's `cost` as customers see it: decimal strings, so every figure can be checked by hand. */
export function toPublicCost(cost: SessionCost) {
  return {
    currency: 'usd' as const,
    total_usd: formatUsd(cost.totalMicros),
    breakdown: cost.lines.map((line) => ({
      provider: line.provider,
      model: line.model,
      item: line.item,
      quantity: Number(line.quantity),
      unit: line.unit,
      unit_price_usd: formatUsd(line.unitPriceMicros),
      price_unit: line.priceUnit,
      price_unit_size: Number(line.priceUnitSize),
      cost_usd: formatUsd(line.costMicros),
    })),
  };
}
