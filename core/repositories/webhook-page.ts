import type { Knex } from 'knex';

export interface WebhookListPage {
  limit: number;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

/** Newest first by id (ids sort by creation time), one extra row fetched to know whether there is more. */
export async function newestFirst<Row>(query: Knex.QueryBuilder, page: WebhookListPage, idColumn = 'id'): Promise<{ rows: Row[]; hasMore: boolean }> {
  if (page.ending_before) {
    const rows = (await query.where(idColumn, '>', page.ending_before).orderBy(idColumn, 'asc').limit(page.limit + 1)) as Row[];
    return { rows: rows.slice(0, page.limit).reverse(), hasMore: rows.length > page.limit };
  }
  if (page.starting_after) query.where(idColumn, '<', page.starting_after);
  const rows = (await query.orderBy(idColumn, 'desc').limit(page.limit + 1)) as Row[];
  return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}
