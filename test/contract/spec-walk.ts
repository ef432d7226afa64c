import { contract, type SpecOperation } from '../support/contract.ts';

/**
 * Walks openapi.yaml so the contract suites cover every documented route without hand-kept lists:
 * which operations take ids in their path (and of which kind), which are lists, and a minimal valid body for each.
 */

type Json = Record<string, any>;

export interface PathParam {
  name: string;
  /** The id prefix (`asst`, `sess`, …) when the parameter is an id; undefined for enums such as `{provider}`. */
  idPrefix: string | undefined;
  schema: Json;
}

/** Every authenticated operation (the ones with a key requirement), in document order. */
export function authenticatedOperations(): SpecOperation[] {
  return contract().operations.filter((op) => !(Array.isArray(op.security) && op.security.length === 0));
}

export function pathParams(op: SpecOperation): PathParam[] {
  return op.parameters
    .filter((p) => p.in === 'path')
    .map((p) => {
      const schema = resolveSchema(p.schema);
      const prefix = typeof schema.pattern === 'string' ? /^\^([a-z]+)_/.exec(schema.pattern)?.[1] : undefined;
      return { name: p.name as string, idPrefix: prefix, schema };
    });
}

/** Fills a path template: `values(param)` gives each parameter's value. */
export function fillPath(op: SpecOperation, values: (param: PathParam) => string): string {
  return pathParams(op).reduce((path, param) => path.replace(`{${param.name}}`, encodeURIComponent(values(param))), op.template);
}

export function isListOperation(op: SpecOperation): boolean {
  const ok = op.operation.responses?.['200'];
  const schemaRef: string | undefined = ok?.content?.['application/json']?.schema?.$ref;
  return op.method === 'GET' && typeof schemaRef === 'string' && schemaRef.endsWith('List');
}

export function hasQueryParam(op: SpecOperation, name: string): boolean {
  return op.parameters.some((p) => p.in === 'query' && p.name === name);
}

/** A small body the request schema accepts (required fields only), or undefined when the operation takes none. */
export function minimalRequestBody(op: SpecOperation): unknown {
  const schema = op.operation.requestBody?.content?.['application/json']?.schema;
  if (!schema) return undefined;
  return minimalValue(resolveSchema(schema));
}

function minimalValue(input: Json): unknown {
  const schema = resolveSchema(input);
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.oneOf) return minimalValue(schema.oneOf[0]);
  if (schema.anyOf) return minimalValue(schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(((schema.required ?? []) as string[]).map((name) => [name, minimalValue(schema.properties?.[name] ?? {})]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => minimalValue(schema.items ?? {}));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      return stringFor(schema);
    default:
      return null;
  }
}

function stringFor(schema: Json): string {
  if (schema.format === 'uri') return 'http://127.0.0.1:9/echosphere'; // test servers allow private addresses and resolve no names
  if (schema.format === 'date-time') return new Date().toISOString();
  const prefix = typeof schema.pattern === 'string' ? /^\^([a-z]+)_/.exec(schema.pattern)?.[1] : undefined;
  if (prefix) return `${prefix}_${'0'.repeat(26)}`;
  return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
}

function resolveSchema(schema: Json): Json {
  let current = schema;
  while (current && typeof current.$ref === 'string') current = contract().pointer(current.$ref) as Json;
  return current ?? {};
}
