import { z } from 'zod';

/** Nesting allowed in a tenant's JSON Schema: far beyond what function-calling models accept, well short of a stack. */
const MAX_SCHEMA_DEPTH = 32;
const MAX_SCHEMA_CHARS = 20_000;

/**
 * A JSON Schema a tenant supplies (a tool's parameters, an assistant's structured-data schema), bounded so that
 * storing, serializing, forwarding and checking one stays cheap: the depth is measured without recursion first,
 * because JSON.stringify on a schema nested a hundred thousand levels deep overflows the stack. Both bounds abort,
 * so refinements chained after this one only ever see a bounded schema.
 */
export const jsonSchemaObject = z
  .record(z.string(), z.unknown())
  .refine((schema) => schema.type === 'object', 'must be a JSON Schema with "type": "object"')
  .refine((schema) => nestingDepth(schema) <= MAX_SCHEMA_DEPTH, { message: `must not be nested more than ${MAX_SCHEMA_DEPTH} levels deep`, abort: true })
  .refine((schema) => JSON.stringify(schema).length <= MAX_SCHEMA_CHARS, { message: 'must be at most 20,000 characters of JSON', abort: true });

/** How many objects and arrays deep a JSON value goes (iterative, so any depth is measured safely). */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_SCHEMA_DEPTH) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}
