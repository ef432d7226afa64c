import { z } from 'zod';
import type { Knex } from 'knex';
import { isId, type IdKind } from '../../core/ids.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `limit`, `starting_after` and `ending_before` for a list of one kind of object (ids sort by creation time). */
export function paginationQuery(kind: IdKind) {
  const cursor = z.string().refine((value) => isId(kind, value), { message: `must be an id of this list` });
  return z.strictObject({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    starting_after: cursor.optional(),
    ending_before: cursor.optional(),
  });
}

export interface Page {
  limit: number;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

/** Newest first. Fetches one extra row to know whether there is more. */
export async function fetchPage<Row extends { id: string }>(
  query: Knex.QueryBuilder,
  page: Page,
  idColumn = 'id',
): Promise<{ rows: Row[]; hasMore: boolean }> {
  if (page.ending_before) {
    const rows = (await query.where(idColumn, '>', page.ending_before).orderBy(idColumn, 'asc').limit(page.limit + 1)) as Row[];
    const hasMore = rows.length > page.limit;
    return { rows: rows.slice(0, page.limit).reverse(), hasMore };
  }
  if (page.starting_after) query.where(idColumn, '<', page.starting_after);
  const rows = (await query.orderBy(idColumn, 'desc').limit(page.limit + 1)) as Row[];
  return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export function listResponse<T>(data: T[], hasMore: boolean) {
  return { object: 'list' as const, data, has_more: hasMore };
}
