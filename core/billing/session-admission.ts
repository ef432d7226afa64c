import { sql, type Sql } from '../db/sql.ts';
import { PlatformError } from '../errors.ts';
import { formatUsd, parseUsd } from './money.ts';
import { startOfUtcMonth } from './usage-summary.ts';

/**
 * Whether an organization may start a session, as far as money goes: its Stripe billing status, and its monthly
 * spend and minutes limits against the sessions that ended this UTC month. Only new sessions are refused; a live
 * session is never cut, and its usage counts once it ends.
 */

export interface AdmissionRow {
  billing_status: 'active' | 'past_due' | 'canceled';
  spend_limit_usd: string | null;
  minutes_limit: string | number | null;
  /** This month's cost and session time, read only when the organization has a limit. */
  month_cost_micro_usd: string | null;
  month_duration_ms: string | null;
}

/** One statement, so it can travel with the assistant read of a session create in the same round trip. */
export function selectSessionAdmission(orgId: string, now: Date): Sql {
  const monthStart = startOfUtcMonth(now);
  return sql`SELECT o.billing_status,
      o.settings->>'monthly_spend_limit_usd' AS spend_limit_usd,
      o.settings->>'monthly_minutes_limit' AS minutes_limit,
      month.cost_micro_usd::text AS month_cost_micro_usd,
      month.duration_ms::text AS month_duration_ms
    FROM organizations o
    LEFT JOIN LATERAL (
      SELECT coalesce(sum(cost_micro_usd), 0) AS cost_micro_usd,
             coalesce(sum(quantity) FILTER (WHERE metric = 'session'), 0) AS duration_ms
      FROM usage_records
      WHERE org_id = o.id AND created_at >= ${monthStart}
    ) month ON o.settings->>'monthly_spend_limit_usd' IS NOT NULL OR o.settings->>'monthly_minutes_limit' IS NOT NULL
    WHERE o.id = ${orgId}`;
}

/** The 402 a new session gets, or undefined when it may start. */
export function admissionRefusal(row: AdmissionRow | undefined): PlatformError | undefined {
  if (!row) return undefined;
  if (row.billing_status === 'past_due') {
    return paymentRequired('billing_past_due', 'This organization has an unpaid invoice; pay it in the billing portal (GET /v1/billing) to start sessions again.');
  }
  if (row.billing_status === 'canceled') {
    return paymentRequired('billing_canceled', 'This organization\'s subscription is canceled; renew it in the billing portal (GET /v1/billing) to start sessions again.');
  }
  if (row.spend_limit_usd !== null && row.month_cost_micro_usd !== null) {
    const spent = BigInt(row.month_cost_micro_usd);
    const limit = parseUsd(row.spend_limit_usd);
    if (spent >= limit) {
      return paymentRequired(
        'monthly_spend_limit_reached',
        `This organization has reached its monthly spend limit: monthly_spend_limit_usd is ${formatUsd(limit)} and sessions this month cost ${formatUsd(spent)}. Raise the limit or wait for the next month.`,
      );
    }
  }
  if (row.minutes_limit !== null && row.month_duration_ms !== null) {
    const limitMinutes = Number(row.minutes_limit);
    const usedMs = Number(row.month_duration_ms);
    if (usedMs >= limitMinutes * 60_000) {
      return paymentRequired(
        'monthly_minutes_limit_reached',
        `This organization has reached its monthly minutes limit: monthly_minutes_limit is ${limitMinutes} and sessions this month lasted ${(usedMs / 60_000).toFixed(2)} minutes. Raise the limit or wait for the next month.`,
      );
    }
  }
  return undefined;
}

const paymentRequired = (code: string, message: string) => new PlatformError('payment_required', code, message);
