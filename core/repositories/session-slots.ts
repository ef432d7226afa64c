import { sql, type Sql } from '../db/sql.ts';

/**
 * An organization's concurrency slots (`session_slots`, migration 015): a live session holds one, so an organization
 * never has more live sessions than slots it may use. Creates take different free slots side by side (`SKIP LOCKED`)
 * instead of queueing on one lock until each commit is flushed.
 */

/** The organization's concurrency limit: its own setting, or the server's default. */
function concurrencyLimit(orgId: string, defaultLimit: number): Sql {
  return sql`coalesce((SELECT (settings->>'max_concurrent_sessions')::int FROM organizations WHERE id = ${orgId}), ${defaultLimit})`;
}

/**
 * A CTE body that takes the lowest free slot no other transaction holds, for `sessionId`, and returns it (no row when
 * there is none). Nothing is taken while a session still holds a slot above the limit (the limit was lowered): those
 * sessions count against it until they end.
 */
export function takeFreeSlot(orgId: string, sessionId: string, defaultLimit: number): Sql {
  const limit = concurrencyLimit(orgId, defaultLimit);
  return sql`UPDATE session_slots SET session_id = ${sessionId}
    WHERE org_id = ${orgId} AND slot = (
      SELECT slot FROM session_slots
      WHERE org_id = ${orgId} AND session_id IS NULL AND slot <= ${limit}
        AND NOT EXISTS (SELECT 1 FROM session_slots WHERE org_id = ${orgId} AND slot > ${limit} AND session_id IS NOT NULL)
      ORDER BY slot LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING slot`;
}

/**
 * After a create found no free slot: makes more slots, as many again as there are (at least 16), up to the limit.
 * Racing creates add the same numbers, and all but the first add nothing. Returns one row, `retry`: whether the
 * create may find a slot now, because slots were missing or some are free (made or freed since its attempt, or
 * held by a create still in flight). False means every slot the limit allows is taken: the limit is reached.
 */
export function addSlots(orgId: string, defaultLimit: number): Sql {
  return sql`WITH bound AS (
      SELECT coalesce(max(slot), 0) AS top, ${concurrencyLimit(orgId, defaultLimit)} AS max_slots
      FROM session_slots WHERE org_id = ${orgId}
    ), added AS (
      INSERT INTO session_slots (org_id, slot)
      SELECT ${orgId}, generate_series(top + 1, least(max_slots, greatest(2 * top, 16))) FROM bound WHERE top < max_slots
      ON CONFLICT DO NOTHING
      RETURNING slot
    )
    SELECT top < max_slots
        OR EXISTS (SELECT 1 FROM session_slots WHERE org_id = ${orgId} AND session_id IS NULL AND slot <= max_slots) AS retry
    FROM bound`;
}
