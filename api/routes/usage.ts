import { Router } from 'express';
import { z } from 'zod';
import { startOfUtcMonth, summarizeUsage } from '../../core/billing/usage-summary.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicTotals } from '../presenters/usage.ts';
import { authOf } from '../http/request-context.ts';
import { parse } from '../http/validation.ts';

/** A range is bounded so that one request sums a bounded number of rows; a year and a bit covers any report. */
const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;

const usageQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    group_by: z.enum(['day', 'assistant', 'provider']).default('day'),
  })
  .transform((query, ctx) => {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : startOfUtcMonth(to);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    else if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the range may span at most ${MAX_RANGE_DAYS} days` });
    return { from, to, groupBy: query.group_by };
  });

export function usageRoutes({ db }: ApiDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const query = parse(usageQuery, req.query, 'query');
    const summary = await db.tenant(orgId, (trx) => summarizeUsage(trx, orgId, query, query.groupBy));
    res.json({
      object: 'usage',
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      group_by: query.groupBy,
      total: toPublicTotals(summary.total),
      data: summary.groups.map((row) => ({ key: row.key, ...toPublicTotals(row) })),
    });
  });

  return router;
}
