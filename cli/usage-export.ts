import { once } from 'node:events';
import type { Config } from '../core/config.ts';
import { usageCsvLines } from '../core/billing/usage-csv.ts';
import { isId } from '../core/ids.ts';
import { openPlatform } from '../core/platform.ts';
import { CliError } from './cli-error.ts';

/** `echosphere usage export --from <date> --to <date> [--org <org_id>]`: usage records as CSV on standard output. */
export async function usageExportCommand(config: Config, options: { from?: string; to?: string; org?: string }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const from = parseDate(options.from, '--from');
  const to = parseDate(options.to, '--to');
  if (from >= to) throw new CliError('--from must be before --to');
  if (options.org !== undefined && !isId('organization', options.org)) throw new CliError(`Not an organization id: ${options.org}`);
  const { db } = await openPlatform(config);
  try {
    for await (const line of usageCsvLines(db, { from, to, orgId: options.org })) {
      if (!out.write(line)) await once(out, 'drain');
    }
  } finally {
    await db.close();
  }
}

function parseDate(value: string | undefined, flag: string): Date {
  if (!value) throw new CliError(`usage export needs ${flag} (a date such as 2026-01-01, or an ISO time)`);
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new CliError(`${flag}: not a date: ${value}`);
  return date;
}
