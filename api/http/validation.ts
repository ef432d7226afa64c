import type { Request } from 'express';
import type { z } from 'zod';
import { InvalidFieldsError, PlatformError, type FieldProblem } from '../../core/errors.ts';
import { fieldMessage } from './field-messages.ts';
import { findUnstorableInput } from './storable-input.ts';

/**
 * Parses with a zod schema; a failure is a 400 listing every problem, each naming its field (`param`) in dotted form
 * and saying what is wrong in plain words (`fieldMessage`). Every body and
 * query a route uses comes through here, so this is where text PostgreSQL cannot store is refused, before any schema.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' = 'body'): z.infer<S> {
  return unwrap(schema.safeParse(refuseUnstorable(value, where), { error: fieldMessage }), where);
}

/** `parse` for schemas with asynchronous checks (those that pause for other requests while they work). */
export async function parseAsync<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' = 'body'): Promise<z.infer<S>> {
  return unwrap(await schema.safeParseAsync(refuseUnstorable(value, where), { error: fieldMessage }), where);
}

/** `value` itself, once it holds nothing PostgreSQL refuses or mangles (NUL, lone surrogates, runaway nesting). */
function refuseUnstorable(value: unknown, where: 'body' | 'query'): unknown {
  const unstorable = findUnstorableInput(value);
  if (!unstorable) return value;
  const param = unstorable.path.map(String).join('.');
  return fail(invalidCode(where), param ? `${param}: ${unstorable.problem}` : `The ${where} ${unstorable.problem}.`, param || undefined);
}

function unwrap<T>(result: z.ZodSafeParseResult<T>, where: 'body' | 'query'): T {
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues.flatMap((issue) => problemsOf(issue, where));
  throw new InvalidFieldsError([first!, ...rest]);
}

function problemsOf(issue: z.core.$ZodIssue, where: 'body' | 'query'): FieldProblem[] {
  const param = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const field = [param, key].filter(Boolean).join('.');
      return { code: 'unknown_field', message: `Unknown field "${field}" in the ${where}.`, param: field };
    });
  }
  const message = param ? `${param}: ${issue.message}` : issue.message;
  return [{ code: invalidCode(where), message, ...(param ? { param } : {}) }];
}

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parse(schema, bodyOf(req));
}

export function parseBodyAsync<S extends z.ZodType>(schema: S, req: Request): Promise<z.infer<S>> {
  return parseAsync(schema, bodyOf(req));
}

/** The JSON body; a request without one is an empty object, unless it sent something that is not JSON (415). */
function bodyOf(req: Request): unknown {
  if (req.body !== undefined) return req.body;
  if (!req.is('application/json') && req.headers['content-length'] && req.headers['content-length'] !== '0') {
    throw new PlatformError('invalid_request', 'unsupported_media_type', 'Send JSON with Content-Type: application/json.', undefined, 415);
  }
  return {};
}

function invalidCode(where: 'body' | 'query'): string {
  return where === 'body' ? 'invalid_field' : 'invalid_query';
}

function fail(code: string, message: string, param: string | undefined): never {
  throw new PlatformError('invalid_request', code, message, param);
}
