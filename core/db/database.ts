import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.ts';
import { lockDataFolder, type DataFolderLock } from './data-folder-lock.ts';
import { inlineSql, isSql, literal, type Sql } from './sql.ts';

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

/** Raw statements answer with a driver result; builders with rows. */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  return (result as { rows?: unknown[] }).rows ?? [];
}

/** Turns knex's `$n` placeholders into escaped literals (one pass over its SQL, which holds no literals of its own). */
function inlineBindings(sql: string, bindings: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, index: string) => literal(bindings[Number(index) - 1]));
}

/** A statement for `tenantBatch`: a knex builder or raw, or a precompiled `sql` template (the hot paths). */
export type Statement = Knex.QueryBuilder | Knex.Raw | Sql;

/** knex turns every `?` of a raw statement into a placeholder, so values travel as bindings, never inlined. */
function asKnexRaw(knex: Knex, { strings, values }: Sql): Knex.Raw {
  return knex.raw(strings.join('?'), values as Knex.RawBinding[]);
}

/** Runs a precompiled `sql` statement on a connection or in a transaction; its rows. */
export async function runSql(knex: Knex, statement: Sql): Promise<unknown[]> {
  return rowsOf(await asKnexRaw(knex, statement));
}

function statementText(statement: Statement): string {
  if (isSql(statement)) return inlineSql(statement);
  const { sql, bindings } = statement.toSQL().toNative();
  return inlineBindings(sql, bindings);
}

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
    /** Held while an embedded database on disk is open: no other process may open that folder meanwhile. */
    private readonly folderLock?: DataFolderLock,
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
    // Throws DataFolderInUseError, naming the holder, when another process has the folder open.
    const folderLock = options.dataDir ? lockDataFolder(options.dataDir) : undefined;
    let pglite: PGlite;
    try {
      pglite = await PGlite.create(options.dataDir);
    } catch (error) {
      folderLock?.release();
      throw error;
    }
    const knex = knexFactory({
      client: ClientPgLite as unknown as typeof Knex.Client,
      dialect: 'postgres',
      connection: () => ({ pglite }) as object,
    });
    return new Database(knex, 'pglite', pglite, folderLock);
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

  /**
   * One tenant-scoped SELECT in one round trip (see `tenantBatch`). The hot read paths use this: a knex transaction
   * would cost BEGIN, SET, query and COMMIT.
   */
  async tenantRead<Row>(orgId: string, build: (knex: Knex) => Knex.QueryBuilder | Sql): Promise<Row[]> {
    const [rows] = await this.tenantBatch(orgId, (knex) => [build(knex)]);
    return rows as Row[];
  }

  /**
   * Tenant-scoped statements run as one transaction in one round trip: on PostgreSQL they travel with the role switch
   * as a single multi-statement simple query, which the server runs as one implicit transaction (so the `is_local`
   * settings end with it) and commits without waiting for this process. Each statement still takes its own snapshot,
   * so a row lock taken by one is honoured by the next. Returns the rows of each statement.
   */
  async tenantBatch(orgId: string, build: (knex: Knex) => Statement[]): Promise<unknown[][]> {
    if (this.dialect === 'pglite') {
      return this.tenant(orgId, async (trx) => {
        const results: unknown[][] = [];
        for (const statement of build(trx)) results.push(rowsOf(await (isSql(statement) ? asKnexRaw(trx, statement) : statement)));
        return results;
      });
    }
    if (!ORG_ID_SHAPE.test(orgId)) throw new Error(`Not an organization id: ${orgId}`);
    const statements = build(this.knex).map(statementText);
    const connection = (await this.knex.client.acquireConnection()) as pg.Client;
    try {
      // SET LOCAL holds for the implicit transaction; unlike SELECT set_config(…) it sends back no row to parse.
      const results = (await connection.query(
        [`SET LOCAL ROLE echosphere_app`, `SET LOCAL app.org_id = '${orgId}'`, ...statements].join(';\n'),
      )) as unknown as pg.QueryResult[];
      return results.slice(2).map((result) => result.rows);
    } finally {
      await this.knex.client.releaseConnection(connection);
    }
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
    this.folderLock?.release();
  }
}
