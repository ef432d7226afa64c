import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.ts';

// Postgres bigint (count(*), sums) arrives as a string by default; our counts fit comfortably in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Transaction = Knex.Transaction;

export interface DatabaseOptions {
  /** A postgres:// URL; without one the embedded PGlite database is used. */
  url?: string;
  /** Folder for the embedded database; omitted = in memory (tests). */
  dataDir?: string;
  poolMax?: number;
}

const ORG_ID_SHAPE = /^org_[0-9A-Z]{26}$/;

/**
 * One way into the database for every role. Each unit of work runs in a transaction that first declares who it
 * runs as: `tenant(orgId)` switches to the RLS-limited `echosphere_app` role with `app.org_id` set, so even a query
 * that forgot its `org_id` filter sees one organization; `system()` is for work that is cross-tenant by nature.
 */
export class Database {
  private constructor(
    readonly knex: Knex,
    readonly dialect: 'postgres' | 'pglite',
    /** The embedded engine, when there is one (LISTEN/NOTIFY is in-process there). */
    readonly pglite: PGlite | undefined,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    if (options.url) {
      const knex = knexFactory({
        client: 'pg',
        connection: options.url,
        pool: { min: 0, max: options.poolMax ?? 10 },
      });
      return new Database(knex, 'postgres', undefined);
    }
    if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
    const pglite = await PGlite.create(options.dataDir);
    const knex = knexFactory({
      client: ClientPgLite as unknown as typeof Knex.Client,
      dialect: 'postgres',
      connection: () => ({ pglite }) as object,
    });
    return new Database(knex, 'pglite', pglite);
  }

  async migrate(): Promise<void> {
    await this.knex.migrate.latest({ migrationSource });
  }

  tenant<T>(orgId: string, work: (trx: Transaction) => Promise<T>): Promise<T> {
    if (!ORG_ID_SHAPE.test(orgId)) return Promise.reject(new Error(`Not an organization id: ${orgId}`));
    return this.knex.transaction(async (trx) => {
      // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
      await trx.raw(`SELECT set_config('role', 'echosphere_app', true), set_config('app.org_id', ?, true)`, [orgId]);
      return work(trx);
    });
  }

  system<T>(work: (trx: Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(async (trx) => {
      await trx.raw(`SELECT set_config('role', 'echosphere_system', true)`);
      return work(trx);
    });
  }

  async ping(): Promise<void> {
    await this.knex.raw('SELECT 1');
  }

  async close(): Promise<void> {
    await this.knex.destroy();
    if (this.pglite && !this.pglite.closed) await this.pglite.close();
  }
}
