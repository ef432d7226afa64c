import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import { applyPriceOverride, parsePriceOverride } from './price-table.ts';
import type { SessionBilling } from './session-charge.ts';

/**
 * How this server charges sessions: the default prices with the price file's entries over them, and meter events
 * owed to Stripe when Stripe is configured. A price file that cannot be read or is wrong stops start-up, naming the
 * setting and every problem: charging with prices the operator did not mean is worse than not starting.
 */
export function loadSessionBilling(billing: Config['billing']): SessionBilling {
  const reportMeterEvents = Boolean(billing.stripe);
  if (!billing.priceFile) return { prices: DEFAULT_PRICES, reportMeterEvents };
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(billing.priceFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ECHOSPHERE_PRICE_FILE: cannot read ${billing.priceFile} as JSON (${(error as Error).message})`);
  }
  const parsed = parsePriceOverride(content);
  if (!parsed.ok) {
    throw new ConfigError(`Invalid configuration:\n${parsed.problems.map((problem) => `  ECHOSPHERE_PRICE_FILE ${billing.priceFile}: ${problem}`).join('\n')}`);
  }
  return { prices: applyPriceOverride(DEFAULT_PRICES, parsed.override), reportMeterEvents };
}
