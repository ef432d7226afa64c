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

/** Newest first: the window of a list that a page asks for, plus one row to know whether there is more. */
export function pageQuery(query: Knex.QueryBuilder, page: Page, idColumn = 'id'): Knex.QueryBuilder {
  if (page.ending_before) return query.where(idColumn, '>', page.ending_before).orderBy(idColumn, 'asc').limit(page.limit + 1);
  if (page.starting_after) query.where(idColumn, '<', page.starting_after);
  return query.orderBy(idColumn, 'desc').limit(page.limit + 1);
}

/** The page's rows in list order (newest first), and whether more rows lie beyond them. */
export function pageResult<Row>(rows: Row[], page: Page): { rows: Row[]; hasMore: boolean } {
  const window = rows.slice(0, page.limit);
  return { rows: page.ending_before ? window.reverse() : window, hasMore: rows.length > page.limit };
}

export function listResponse<T>(data: T[], hasMore: boolean) {
  return { object: 'list' as const, data, has_more: hasMore };
}
