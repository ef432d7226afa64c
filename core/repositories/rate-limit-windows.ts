import type { Knex } from 'knex';
import { runSql } from '../db/database.ts';
import { sql } from '../db/sql.ts';

export interface WindowHits {
  bucket: string;
  windowStartMs: number;
  windowMs: number;
  /** Hits counted since the last sync; negative when a counted hit was taken back. */
  hits: number;
}

/**
 * Adds each bucket's hits to its window's shared count and returns the new totals (every process's hits), in one
 * statement. Rows go in bucket order so two processes adding overlapping buckets lock them in the same order and
 * cannot deadlock; a batch holds each bucket once (ON CONFLICT may not touch a row twice).
 */
export async function addWindowHits(knex: Knex, batch: WindowHits[]): Promise<Map<string, number>> {
  const rows = [...batch]
    .sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0))
    .map((row) => ({ bucket: row.bucket, start_ms: row.windowStartMs, end_ms: row.windowStartMs + row.windowMs, hits: row.hits }));
  const totals = (await runSql(
    knex,
    sql`INSERT INTO rate_limit_windows AS w (bucket, window_start, window_end, hits)
        SELECT bucket, to_timestamp(start_ms / 1000.0), to_timestamp(end_ms / 1000.0), hits
          FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS d(bucket text, start_ms bigint, end_ms bigint, hits integer)
         ORDER BY bucket
        ON CONFLICT (bucket, window_start) DO UPDATE SET hits = w.hits + excluded.hits
        RETURNING bucket, hits`,
  )) as Array<{ bucket: string; hits: number }>;
  return new Map(totals.map((row) => [row.bucket, row.hits]));
}

/** Drops windows that ended over a minute ago (the minute covers clocks that lag the database's). */
export async function deleteEndedWindows(knex: Knex): Promise<void> {
  await runSql(knex, sql`DELETE FROM rate_limit_windows WHERE window_end < now() - interval '1 minute'`);
}
