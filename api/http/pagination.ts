import { z } from 'zod';
import { isId, type IdKind } from '../../core/ids.ts';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** `limit`, `starting_after` and `ending_before` for a list of one kind of object (ids sort by creation time). */
export function paginationQuery(kind: IdKind) {
  const cursor = z.string().refine((value) => isId(kind, value), { message: `must be an id of this list` });
  return z.strictObject({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    starting_after: cursor.optional(),
    ending_before: cursor.optional(),
  });
}

export function listResponse<T>(data: T[], hasMore: boolean) {
  return { object: 'list' as const, data, has_more: hasMore };
}
