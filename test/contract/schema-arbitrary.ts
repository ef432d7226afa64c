import fc from 'fast-check';
import { contract } from '../support/contract.ts';

/**
 * fast-check arbitraries from the contract's JSON Schemas: `validShaped` follows a schema (types, enums, bounds, ids of
 * the right kind), `hostile` is what a schema never allows and a server must still survive, and `mutated` is a
 * valid-shaped value with one part replaced by something hostile, an unknown field added, or its type changed.
 */

type Json = Record<string, any>;

/** URLs the test server accepts or refuses without a DNS lookup (it resolves no names). */
const URLS = ['http://127.0.0.1:9/hook', 'https://[::1]:9/x', 'http://169.254.169.254/latest', 'ftp://127.0.0.1/x', 'http://', 'not a url'];

/** Strings PostgreSQL, JSON and decoders handle badly, each on its own and inside other text; short enough for a URL. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\ude00y', '😀', '\u202e', 'e\u0301', '\ufeff', '\uffff', '\u{10ffff}'),
  fc.constantFrom('%', '%E0%A4%A', '%00', '../..', '\\', "' OR 1=1 --", '${jndi:x}', '__proto__', 'constructor', ''),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, 2 ** 31, -(2 ** 31) - 1, 1e-300),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Arrays or objects nested `depth` deep, far past what any schema allows. */
function nested(depth: number, asArray: boolean): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = asArray ? [value] : { a: value };
  return value;
}

export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constant('x'.repeat(70_000)),
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [null], { '': '' }, { '\u0000': 1 }, JSON.parse('{"__proto__":{"polluted":true}}')),
  // Past the api's limit; deeper nesting is sent as raw text (see fuzz.test.ts), JSON.stringify cannot write it.
  fc.constantFrom(70, 300).chain((depth) => fc.boolean().map((asArray) => nested(depth, asArray))),
  fc.jsonValue({ maxDepth: 3 }),
);

function resolve(schema: Json | undefined): Json {
  let current = schema ?? {};
  while (typeof current.$ref === 'string') current = contract().pointer(current.$ref) as Json;
  if (Array.isArray(current.allOf)) {
    const parts = current.allOf.map(resolve);
    return {
      ...Object.assign({}, ...parts),
      ...current,
      allOf: undefined,
      properties: Object.assign({}, ...parts.map((part: Json) => part.properties), current.properties),
      required: [...new Set(parts.flatMap((part: Json) => part.required ?? []).concat(current.required ?? []))],
    };
  }
  return current;
}

function validString(schema: Json): fc.Arbitrary<string> {
  if (schema.format === 'uri') return fc.constantFrom(...URLS);
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  const prefix = typeof schema.pattern === 'string' ? /^\^([a-z]+)_/.exec(schema.pattern)?.[1] : undefined;
  if (prefix) return fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/).map((suffix) => `${prefix}_${suffix}`);
  const bounds = { minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, (schema.minLength ?? 0) + 40) };
  // Plain text, any code point, and the hostile strings that fit: a string field is where NUL reaches the database.
  const fitting = hostileString.filter((text) => text.length >= bounds.minLength && text.length <= (schema.maxLength ?? Infinity));
  return fc.oneof(fc.string(bounds), fc.string({ ...bounds, unit: 'binary' }), fitting);
}

function validNumber(schema: Json, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
  const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
  return integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
}

/** A value shaped like `schema` (it may still be refused for cross-field rules the schema cannot say). */
export function validShaped(input: Json | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(input);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const branches = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(branches)) return fc.oneof(...branches.map((branch: Json) => validShaped(branch, depth + 1)));
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type ?? (schema.properties ? 'object' : 'any')];
  return fc.oneof(...types.map((type) => validOfType(schema, type, depth)));
}

function validOfType(schema: Json, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number':
      return validNumber(schema, type === 'integer');
    case 'string':
      return validString(schema);
    case 'array':
      return fc.array(validShaped(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, (schema.minItems ?? 0) + 3) });
    case 'object': {
      if (depth > 6) return fc.constant({});
      const properties = (schema.properties ?? {}) as Json;
      const shaped = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, validShaped(property, depth + 1)]));
      const record = fc.record(shaped, { requiredKeys: (schema.required ?? []).filter((name: string) => name in properties) });
      if (Object.keys(properties).length > 0 || !schema.additionalProperties) return record;
      const values = schema.additionalProperties === true ? fc.jsonValue({ maxDepth: 2 }) : validShaped(schema.additionalProperties, depth + 1);
      return fc.dictionary(fc.string({ maxLength: 10 }), values, { maxKeys: 4 });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** `value` with one hostile change somewhere inside it. */
function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== 'object') return hostile;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  const replaceOne: fc.Arbitrary<unknown> =
    entries.length === 0
      ? hostile
      : fc
          .integer({ min: 0, max: entries.length - 1 })
          .chain((index) => fc.oneof(hostile, mutate(entries[index]![1])).map((replacement) => withEntry(value, entries[index]![0], replacement)));
  return fc.oneof(
    replaceOne,
    fc.tuple(hostileString, hostile).map(([key, extra]) => (Array.isArray(value) ? [...value, extra] : { ...value, [key]: extra })),
    hostile,
  );
}

function withEntry(container: object, key: string | number, replacement: unknown): unknown {
  if (Array.isArray(container)) return container.map((item, index) => (index === key ? replacement : item));
  return { ...container, [key]: replacement };
}

/** Mostly valid-shaped values, often with one hostile change, sometimes something else entirely. */
export function fuzzed(schema: Json | undefined): fc.Arbitrary<unknown> {
  const shaped = validShaped(schema);
  return fc.oneof({ arbitrary: shaped, weight: 2 }, { arbitrary: shaped.chain(mutate), weight: 3 }, { arbitrary: hostile, weight: 1 });
}
