import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analysisConfig } from './analysis-config.ts';
import { compileOutputSchema } from './structured-output-schema.ts';

const orderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'items'],
  properties: {
    order_id: { type: ['string', 'null'], pattern: '^ORD-[0-9]+$' },
    items: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string' } } } },
  },
};

async function issueOf(input: unknown): Promise<string | undefined> {
  const result = await analysisConfig.safeParseAsync(input);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

test('a full analysis parses with its defaults', async () => {
  const parsed = await analysisConfig.parseAsync({
    summary: {},
    structured_data: { schema: orderSchema },
    scorecard: {
      criteria: [
        { kind: 'llm', name: 'Polite', question: 'Was the assistant polite?' },
        { kind: 'metric', name: 'Fast', metric: 'latency_p95_ms', operator: 'lt', threshold: 1500 },
        { kind: 'match', name: 'Greets', mode: 'regex', pattern: '\\b(hello|hi)\\b' },
      ],
    },
  });
  assert.deepEqual(parsed.summary, { enabled: true, prompt: null });
  assert.equal(parsed.judge, null);
  assert.deepEqual(parsed.scorecard?.criteria[0], { kind: 'llm', name: 'Polite', question: 'Was the assistant polite?', scale: 'pass_fail', pass_min: null });
  assert.equal(parsed.scorecard?.pass_threshold, null);
});

test('structured-data schemas are held to what strict structured outputs accept', async () => {
  const open = { ...orderSchema, additionalProperties: true };
  assert.match((await issueOf({ structured_data: { schema: open } }))!, /structured_data\.schema: the schema must set "additionalProperties": false/);
  const optional = { ...orderSchema, required: ['order_id'] };
  assert.match((await issueOf({ structured_data: { schema: optional } }))!, /must list every property in "required" \(missing "items"/);
  const oneOf = { ...orderSchema, properties: { ...orderSchema.properties, extra: { oneOf: [{ type: 'string' }] } }, required: [...orderSchema.required, 'extra'] };
  assert.match((await issueOf({ structured_data: { schema: oneOf } }))!, /schema\.properties\.extra uses "oneOf"/);
  assert.match((await issueOf({ structured_data: { schema: { type: 'array' } } }))!, /must be a JSON Schema with "type": "object"/);
  let deep: Record<string, unknown> = { type: 'string' };
  for (let level = 0; level < 40; level++) deep = { type: 'object', additionalProperties: false, required: ['x'], properties: { x: deep } };
  assert.match((await issueOf({ structured_data: { schema: deep } }))!, /nested more than 32 levels deep/);
});

test('a schema pattern runs on the linear-time engine: one it cannot run is refused when saved', async () => {
  const backreference = { ...orderSchema, properties: { ...orderSchema.properties, order_id: { type: 'string', pattern: '(a)\\1' } } };
  assert.match((await issueOf({ structured_data: { schema: backreference } }))!, /is not a valid JSON Schema: the pattern "\(a\)\\1" uses a backreference/);
  const compiled = compileOutputSchema(orderSchema);
  assert.ok(compiled.ok);
  assert.equal(compiled.validate({ order_id: 'ORD-12', items: [{ name: 'tea' }] }), undefined);
  assert.match(compiled.validate({ order_id: 'ord-12', items: [] })!, /\/order_id must match pattern/);
  assert.match(compiled.validate({ order_id: null, items: [{}] })!, /\/items\/0 must have required property 'name'/);
});

test('criteria are checked kind by kind', async () => {
  const card = (criterion: unknown) => ({ scorecard: { criteria: [criterion] } });
  assert.match((await issueOf(card({ kind: 'match', name: 'x', mode: 'regex', pattern: '(?=a)b' })))!, /scorecard\.criteria\.0\.pattern: uses a lookahead/);
  assert.equal(await issueOf(card({ kind: 'match', name: 'x', mode: 'contains', pattern: '(?=a)b' })), undefined);
  assert.match((await issueOf(card({ kind: 'metric', name: 'x', metric: 'ended_reason', operator: 'eq', threshold: 3 })))!, /threshold: must be a string for ended_reason/);
  assert.match((await issueOf(card({ kind: 'metric', name: 'x', metric: 'tool_called', operator: 'gt', threshold: true })))!, /operator: must be eq or neq/);
  assert.match((await issueOf(card({ kind: 'llm', name: 'x', question: 'q', scale: 'pass_fail', pass_min: 3 })))!, /pass_min: applies to the 1-5 and 0-10 scales only/);
  assert.match((await issueOf(card({ kind: 'llm', name: 'x', question: 'q', scale: '1-5', pass_min: 7 })))!, /pass_min: must be between 1 and 5/);
  const twice = { kind: 'match', name: 'same', mode: 'contains', pattern: 'a' };
  assert.match((await issueOf({ scorecard: { criteria: [twice, twice] } }))!, /criterion names must be unique/);
});
