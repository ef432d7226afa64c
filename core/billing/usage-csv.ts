import type { Database } from '../db/database.ts';
import { formatUsd } from './money.ts';

/**
 * Usage records as CSV for accounting: one row per priced line of each charged session, in the order sessions ended.
 * Read in pages (keyset on the record id) so an export of any range holds one page in memory at a time.
 */

const USAGE_CSV_COLUMNS = [
  'ended_at',
  'org_id',
  'session_id',
  'assistant_id',
  'provider',
  'model',
  'item',
  'quantity',
  'unit',
  'unit_price_usd',
  'price_unit',
  'price_unit_size',
  'cost_usd',
] as const;

const PAGE = 1000;

export interface UsageExportRange {
  from: Date;
  to: Date;
  orgId?: string;
}

/** Lines of CSV (header first), each ending in CRLF as RFC 4180 has it. Cross-tenant by nature: the system role. */
export async function* usageCsvLines(db: Database, range: UsageExportRange): AsyncGenerator<string> {
  yield csvLine([...USAGE_CSV_COLUMNS]);
  let after: { created_at: Date; id: string } | undefined;
  for (;;) {
    const rows = await db.system((trx) => {
      const query = trx('usage_records')
        .where('created_at', '>=', range.from)
        .where('created_at', '<', range.to)
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .limit(PAGE)
        .select('id', 'created_at', 'org_id', 'session_id', 'assistant_id', 'provider', 'model', 'metric', 'quantity', 'unit', 'unit_price_micro_usd', 'price_unit', 'price_unit_size', 'cost_micro_usd');
      if (range.orgId) query.where('org_id', range.orgId);
      if (after) query.whereRaw('(created_at, id) > (?, ?)', [after.created_at, after.id]);
      return query;
    });
    for (const row of rows) {
      yield csvLine([
        (row.created_at as Date).toISOString(),
        row.org_id,
        row.session_id,
        row.assistant_id,
        row.provider,
        row.model,
        row.metric,
        String(row.quantity),
        row.unit,
        formatUsd(BigInt(row.unit_price_micro_usd)),
        row.price_unit,
        String(row.price_unit_size),
        formatUsd(BigInt(row.cost_micro_usd)),
      ]);
    }
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { created_at: last.created_at, id: last.id };
  }
}

function csvLine(values: Array<string | null | undefined>): string {
  return `${values.map((value) => (value == null ? '' : /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)).join(',')}\r\n`;
}
