import type { Request } from 'express';
import { isId, type IdKind } from '../../core/ids.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { hasUnstorableCharacter, UNSTORABLE_CHARACTER_PROBLEM } from './storable-input.ts';

/**
 * A path parameter as the router decoded it. Text PostgreSQL cannot store is a 400 naming the parameter: it is bad
 * input, not a lookup of something that does not exist.
 */
export function pathParam(req: Request, param: string): string {
  const value = String(req.params[param] ?? '');
  if (hasUnstorableCharacter(value)) throw invalid('invalid_path_parameter', `${param}: ${UNSTORABLE_CHARACTER_PROBLEM}`, param);
  return value;
}

/** A path id of the expected kind; anything else cannot exist, so it is a 404 like any other unknown id. */
export function pathId(req: Request, kind: IdKind, resource: string, param = 'id'): string {
  const value = pathParam(req, param);
  if (!isId(kind, value)) throw notFound(resource, value);
  return value;
}
