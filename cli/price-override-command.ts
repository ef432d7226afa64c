import { readFileSync } from 'node:fs';
import { parsePriceOverride } from '../core/billing/price-table.ts';
import type { Config } from '../core/config.ts';
import { isId } from '../core/ids.ts';
import { openPlatform } from '../core/platform.ts';
import { CliError } from './cli-error.ts';

/**
 * `echosphere orgs prices --org <org_id> (--file <prices.json> | --clear)`: the organization's own prices over the
 * server's (same format as ECHOSPHERE_PRICE_FILE). An operator action, never an API one: an organization must not
 * set what it is charged. Applies to sessions that end from now on.
 */
export async function setOrganizationPricesCommand(config: Config, options: { org?: string; file?: string; clear?: boolean }): Promise<void> {
  if (!options.org || !isId('organization', options.org)) throw new CliError(`orgs prices needs --org <org_id>${options.org ? ` (not an organization id: ${options.org})` : ''}`);
  if (Boolean(options.file) === Boolean(options.clear)) throw new CliError('orgs prices needs either --file <prices.json> or --clear');
  let override: unknown = null;
  if (options.file) {
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(options.file, 'utf8'));
    } catch (error) {
      throw new CliError(`Cannot read ${options.file} as JSON: ${(error as Error).message}`);
    }
    const parsed = parsePriceOverride(content);
    if (!parsed.ok) throw new CliError(`${options.file}:\n${parsed.problems.map((problem) => `  ${problem}`).join('\n')}`);
    override = parsed.override;
  }
  const { db } = await openPlatform(config);
  try {
    const updated = await db.system((trx) =>
      trx('organizations').where({ id: options.org }).update({ price_overrides: override === null ? null : JSON.stringify(override), updated_at: trx.fn.now() }),
    );
    if (updated === 0) throw new CliError(`No organization ${options.org}`);
    process.stdout.write(override === null ? `Organization ${options.org} is charged the server's prices.\n` : `Organization ${options.org} has its own prices.\n`);
  } finally {
    await db.close();
  }
}
