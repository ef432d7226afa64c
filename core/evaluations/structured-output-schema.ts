import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { compileTenantRegex } from '../tenant-regex/tenant-regex.ts';

/**
 * JSON Schemas the judge answers with structured outputs (`response_format: json_schema`, `strict: true`): the
 * tenant's structured-data schema, and the platform's own schemas for summaries and scores. Strict mode accepts a
 * subset of JSON Schema; a tenant's schema is held to the same subset when it is saved, so a schema the judge's
 * provider would refuse is refused here first, with the place and the reason.
 */

/** Keywords strict structured outputs support (https://platform.openai.com/docs/guides/structured-outputs). */
const SUPPORTED_KEYWORDS = new Set([
  'type', 'description', 'title', 'enum', 'const', 'anyOf', '$ref', '$defs',
  'properties', 'required', 'additionalProperties',
  'items', 'minItems', 'maxItems',
  'pattern', 'format',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
]);
const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
/** Strict mode's own limits: object properties in all, and objects nested in objects. */
const MAX_PROPERTIES = 5000;
const MAX_OBJECT_NESTING = 10;
/** Where a subschema sits, as JSON Pointer-ish segments, for the message. */
type Path = Array<string | number>;

/** The first reason strict structured outputs would refuse `schema`, or undefined when they accept it. */
export function strictSchemaProblem(schema: Record<string, unknown>): string | undefined {
  let properties = 0;
  const pending: Array<{ node: unknown; path: Path; objectDepth: number }> = [{ node: schema, path: [], objectDepth: 0 }];
  while (pending.length > 0) {
    const { node, path, objectDepth } = pending.pop()!;
    const at = path.length === 0 ? 'the schema' : `schema.${path.join('.')}`;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return `${at} must be a JSON Schema object`;
    const subschema = node as Record<string, unknown>;
    const unsupported = Object.keys(subschema).find((keyword) => !SUPPORTED_KEYWORDS.has(keyword));
    if (unsupported) return `${at} uses "${unsupported}", which structured outputs do not support`;
    if (typeof subschema.format === 'string' && !SUPPORTED_FORMATS.has(subschema.format)) return `${at} uses format "${subschema.format}", which structured outputs do not support`;
    const types = Array.isArray(subschema.type) ? subschema.type : [subschema.type];
    const isObject = types.includes('object') || subschema.properties !== undefined;
    let depth = objectDepth;
    if (isObject) {
      depth++;
      if (depth > MAX_OBJECT_NESTING) return `${at} nests objects more than ${MAX_OBJECT_NESTING} levels deep`;
      if (subschema.additionalProperties !== false) return `${at} must set "additionalProperties": false`;
      const props = subschema.properties;
      if (typeof props !== 'object' || props === null || Array.isArray(props)) return `${at} must list its "properties"`;
      const keys = Object.keys(props);
      properties += keys.length;
      if (properties > MAX_PROPERTIES) return `the schema has more than ${MAX_PROPERTIES} properties`;
      const required = Array.isArray(subschema.required) ? subschema.required : [];
      const missing = keys.find((key) => !required.includes(key));
      if (missing !== undefined) return `${at} must list every property in "required" (missing "${missing}"; make it nullable to leave it optional)`;
      for (const key of keys) pending.push({ node: (props as Record<string, unknown>)[key], path: [...path, 'properties', key], objectDepth: depth });
    }
    if (subschema.items !== undefined) pending.push({ node: subschema.items, path: [...path, 'items'], objectDepth: depth });
    if (subschema.anyOf !== undefined) {
      if (!Array.isArray(subschema.anyOf)) return `${at}.anyOf must be an array`;
      subschema.anyOf.forEach((branch, index) => pending.push({ node: branch, path: [...path, 'anyOf', index], objectDepth: depth }));
    }
    if (subschema.$defs !== undefined) {
      if (path.length > 0) return `${at} may only use "$defs" at the root`;
      if (typeof subschema.$defs !== 'object' || subschema.$defs === null) return 'schema.$defs must be an object';
      for (const [name, definition] of Object.entries(subschema.$defs)) pending.push({ node: definition, path: ['$defs', name], objectDepth: 0 });
    }
    if (typeof subschema.$ref === 'string' && !subschema.$ref.startsWith('#')) return `${at} may only $ref definitions inside the schema`;
  }
  return undefined;
}

/**
 * Regular expressions in a schema's `pattern` are the tenant's, so validation runs them on the linear-time engine
 * (core/tenant-regex) rather than JavaScript's backtracking one; a pattern that engine refuses makes the schema invalid.
 */
const tenantRegexEngine = Object.assign(
  (pattern: string) => {
    const compiled = compileTenantRegex(pattern, { caseSensitive: true });
    if (!compiled.ok) throw new Error(`the pattern "${pattern}" ${compiled.reason}`);
    return compiled.regex;
  },
  { code: 'tenantRegex' },
);

const ajv = new Ajv({ strict: true, allErrors: false, code: { regExp: tenantRegexEngine } });
addFormats.default(ajv);

/** Compiled validators by schema text: a schema is compiled once per process, however many sessions it checks. */
const validators = new Map<string, ValidateFunction>();
const MAX_CACHED_VALIDATORS = 500;

/** A validator for `schema`, or the reason it cannot be compiled (safe to show the tenant). */
export function compileOutputSchema(schema: Record<string, unknown>): { ok: true; validate: (value: unknown) => string | undefined } | { ok: false; reason: string } {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    try {
      validator = ajv.compile(schema);
    } catch (error) {
      return { ok: false, reason: `is not a valid JSON Schema: ${(error as Error).message}` };
    }
    if (validators.size >= MAX_CACHED_VALIDATORS) validators.delete(validators.keys().next().value!);
    validators.set(key, validator);
  }
  const compiled = validator;
  return {
    ok: true,
    validate(value) {
      if (compiled(value)) return undefined;
      const error = compiled.errors?.[0];
      return error ? `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}` : 'does not match the schema';
    },
  };
}
