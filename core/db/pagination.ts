import type { Knex } from 'knex';

/** A window of a list: `limit` rows after or before a cursor (an id; ids sort by creation time). */
export interface Page {
  limit: number;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

/** Newest first: the window a page asks for, plus one row to know whether there is more. */
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

/** Runs a page query inside an existing transaction. */
export async function fetchPage<Row>(query: Knex.QueryBuilder, page: Page, idColumn = 'id'): Promise<{ rows: Row[]; hasMore: boolean }> {
  return pageResult((await pageQuery(query, page, idColumn)) as Row[], page);
}
