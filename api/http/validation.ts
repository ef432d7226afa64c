import type { Request } from 'express';
import type { z } from 'zod';
import { PlatformError } from '../../core/errors.ts';

/** Parses with a zod schema; the first problem becomes a 400 naming the field (`param`) in dotted form. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' = 'body'): z.infer<S> {
  return unwrap(schema.safeParse(value), where);
}

/** `parse` for schemas with asynchronous checks (those that pause for other requests while they work). */
export async function parseAsync<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' = 'body'): Promise<z.infer<S>> {
  return unwrap(await schema.safeParseAsync(value), where);
}

function unwrap<T>(result: z.ZodSafeParseResult<T>, where: 'body' | 'query'): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.map(String).join('.');
  const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
  if (unknownKeys) {
    const field = [param, unknownKeys[0]].filter(Boolean).join('.');
    return fail('unknown_field', `Unknown field "${field}" in the ${where}.`, field);
  }
  const message = param ? `${param}: ${issue.message}` : issue.message;
  return fail(where === 'body' ? 'invalid_field' : 'invalid_query', message, param || undefined);
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

function fail(code: string, message: string, param: string | undefined): never {
  throw new PlatformError('invalid_request', code, message, param);
}
