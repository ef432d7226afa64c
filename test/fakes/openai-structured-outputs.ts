/**
 * OpenAI's structured outputs as the fake serves them (`response_format: {type: "json_schema", json_schema: {name,
 * schema, strict: true}}` on a non-streamed chat completion): the schema is checked with strict mode's rules and
 * refused with the API's own 400 message, and the answer is JSON valid against it. This is the fake's own reading of
 * the rules, written apart from the platform's, so a disagreement between the two shows up in tests.
 */

export type StructuredDecision =
  /** Answer with this value (the test makes it valid or not, as it needs). */
  | { json: unknown }
  /** Answer with this text as the message content (invalid JSON, for instance). */
  | { content: string }
  /** Fail the request with this status and message, the API's error shape. */
  | { error: { status: number; message: string } };

/** Python's repr of a tuple of strings, as the API's messages show a schema path: `()`, `('items',)`, `('properties', 'a')`. */
function context(path: string[]): string {
  if (path.length === 0) return '()';
  const items = path.map((part) => `'${part}'`);
  return path.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** The message the API answers an invalid strict schema with, or undefined when strict mode accepts it. */
export function strictSchemaError(name: string, schema: Record<string, any>): string | undefined {
  const prefix = `Invalid schema for response_format '${name}': `;
  if (schema.type !== 'object') return `${prefix}schema must be a JSON Schema of 'type: "object"', got 'type: "${schema.type}"'.`;
  const visit = (node: Record<string, any>, path: string[]): string | undefined => {
    for (const keyword of ['oneOf', 'allOf', 'not', 'if', 'patternProperties', 'dependentRequired']) {
      if (keyword in node) return `${prefix}In context=${context(path)}, '${keyword}' is not permitted.`;
    }
    const types: unknown[] = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('object') || node.properties) {
      if (node.additionalProperties !== false) return `${prefix}In context=${context(path)}, 'additionalProperties' is required to be supplied and to be false.`;
      const keys = Object.keys(node.properties ?? {});
      const missing = keys.find((key) => !(node.required ?? []).includes(key));
      if (missing !== undefined) {
        return `${prefix}In context=${context(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
      }
      for (const key of keys) {
        const problem = visit(node.properties[key], [...path, 'properties', key]);
        if (problem) return problem;
      }
    }
    if (node.items) return visit(node.items, [...path, 'items']);
    for (const [index, branch] of (node.anyOf ?? []).entries()) {
      const problem = visit(branch, [...path, 'anyOf', String(index)]);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(schema, []);
}

/**
 * A value valid against a strict schema, as a model constrained by it would give: the first enum value or const, the
 * first non-null type, arrays of their minimum length (at least one item), strings from `sampleText`.
 */
export function sampleFor(schema: Record<string, any>, root: Record<string, any> = schema, sampleText = 'sample'): unknown {
  if (typeof schema.$ref === 'string') return sampleFor(root.$defs?.[schema.$ref.replace('#/$defs/', '')] ?? {}, root, sampleText);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) return sampleFor(schema.anyOf[0], root, sampleText);
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((candidate) => candidate !== 'null') ?? 'null';
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, sampleFor(property as Record<string, any>, root, sampleText)]));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleFor(schema.items ?? {}, root, sampleText));
    case 'string':
      return sampleText;
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}
