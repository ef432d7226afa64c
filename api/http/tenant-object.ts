import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Database, Transaction } from '../../core/db/database.ts';
import { notFound } from '../../core/errors.ts';
import type { IdKind } from '../../core/ids.ts';
import { listResponse } from './pagination.ts';
import { authOf } from './request-context.ts';
import { pathId } from './route-helpers.ts';
import { parse } from './validation.ts';

/** What a path's `:id` names: the id's kind, and the resource as a 404's message names it. */
export interface PathObject {
  kind: IdKind;
  resource: string;
}

/** Reads or changes one of the tenant's objects by id; `undefined` when the tenant has none with that id. */
type TenantLookup<Row> = (trx: Transaction, orgId: string, id: string) => Promise<Row | undefined>;

/**
 * The caller's object that the path's `:id` names, as `lookup` returns it in one tenant transaction. A malformed id,
 * an unknown one and another tenant's are the same 404, so nobody learns which ids other tenants hold.
 */
export async function tenantObjectOr404<Row>(db: Database, req: Request, object: PathObject, lookup: TenantLookup<Row>): Promise<Row> {
  const { orgId } = authOf(req);
  const id = pathId(req, object.kind, object.resource);
  const row = await db.tenant(orgId, (trx) => lookup(trx, orgId, id));
  if (!row) throw notFound(object.resource, id);
  return row;
}

/** `GET /:id`: the caller's object, as `present` shows it publicly. */
export function serveTenantObject<Row>(db: Database, object: PathObject, find: TenantLookup<Row>, present: (row: Row) => unknown): RequestHandler {
  return async (req, res) => {
    res.json(present(await tenantObjectOr404(db, req, object, find)));
  };
}

/**
 * `GET /`: a page of the caller's objects, as `present` shows them publicly. `query` validates the query string
 * (pagination and filters; a bad one is a 400 naming the parameter); `list` reads the page in one tenant transaction.
 */
export function serveTenantList<Query extends z.ZodType, Row>(
  db: Database,
  query: Query,
  list: (trx: Transaction, orgId: string, query: z.infer<Query>) => Promise<{ rows: Row[]; hasMore: boolean }>,
  present: (row: Row) => unknown,
): RequestHandler {
  return async (req, res) => {
    const { orgId } = authOf(req);
    const parsed = parse(query, req.query, 'query');
    const { rows, hasMore } = await db.tenant(orgId, (trx) => list(trx, orgId, parsed));
    res.json(listResponse(rows.map(present), hasMore));
  };
}
