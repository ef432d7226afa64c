/**
 * The API's exact USD amounts (decimal strings with six decimals) for display: cents when that is all there is,
 * the whole micro-dollar figure otherwise, so a small cost never shows as $0.00.
 */
export function formatUsd(amount: string | null | undefined): string {
  if (amount == null) return '—';
  const [whole, fraction = ''] = amount.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `$${whole}.${trimmed.length <= 2 ? trimmed.padEnd(2, '0') : trimmed}`;
}
