/**
 * Money is counted in integer micro-dollars (1 USD = 1,000,000) and shown as exact decimal strings: never a float
 * that drifts. Quantities can be large (milliseconds, tokens) and prices are micro-dollars per price unit, so the
 * products are computed on bigint.
 */

const MICROS_PER_USD = 1_000_000n;
const USD_DECIMAL = /^(0|[1-9]\d{0,8})(\.\d{1,6})?$/;

/** A USD amount written as a decimal string with at most six decimals ("0.0043") in micro-dollars. */
export function parseUsd(text: string): bigint {
  const match = USD_DECIMAL.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a USD amount with at most six decimals`);
  const fraction = (match[2] ?? '.').slice(1).padEnd(6, '0');
  return BigInt(match[1]!) * MICROS_PER_USD + BigInt(fraction);
}

export const isUsdAmount = (text: string): boolean => USD_DECIMAL.test(text);

/** Micro-dollars as a decimal USD string with six decimals ("0.004300"): exact, and easy to sum by hand. */
export function formatUsd(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const magnitude = micros < 0n ? -micros : micros;
  return `${sign}${magnitude / MICROS_PER_USD}.${(magnitude % MICROS_PER_USD).toString().padStart(6, '0')}`;
}

/** `quantity` units at `priceMicros` per `unitSize` units, rounded half up to the micro-dollar. */
export function priceQuantity(quantity: bigint, priceMicros: bigint, unitSize: bigint): bigint {
  return (quantity * priceMicros * 2n + unitSize) / (unitSize * 2n);
}
