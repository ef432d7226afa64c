import type { Request } from 'express';
import { isId, type IdKind } from '../../core/ids.ts';
import { notFound } from '../../core/errors.ts';

/** A path id of the expected kind; anything else cannot exist, so it is a 404 like any other unknown id. */
export function pathId(req: Request, kind: IdKind, resource: string, param = 'id'): string {
  const value = req.params[param];
  if (!isId(kind, value)) throw notFound(resource, String(value));
  return value;
}
