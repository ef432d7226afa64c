import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { compileOutputSchema } from '../../core/evaluations/structured-output-schema.ts';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai-fake.ts';

let fake: OpenAiFake;
let client: OpenAI;

before(async () => {
  fake = await startOpenAiFake(() => ({ text: 'unused' }));
  client = new OpenAI({ apiKey: 'sk-test', baseURL: fake.baseUrl, maxRetries: 0 });
});
after(() => fake.close());

const bookingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'party_size', 'date', 'notes', 'dishes'],
  properties: {
    name: { type: 'string' },
    party_size: { type: 'integer', minimum: 1 },
    date: { type: ['string', 'null'] },
    notes: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    dishes: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['dish'], properties: { dish: { type: 'string', enum: ['soup', 'salad'] } } } },
  },
};

const ask = (schema: Record<string, unknown>) =>
  client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Extract the booking.' }],
    response_format: { type: 'json_schema', json_schema: { name: 'booking', schema, strict: true } },
  });

test('a structured-output request is answered with JSON valid against its schema, through the openai SDK', async () => {
  const completion = await ask(bookingSchema);
  const content = completion.choices[0]!.message.content!;
  const compiled = compileOutputSchema(bookingSchema);
  assert.ok(compiled.ok);
  assert.equal(compiled.validate(JSON.parse(content)), undefined);
  assert.equal(completion.usage?.total_tokens, 150);
  assert.equal(fake.chatRequests.at(-1)?.response_format.json_schema.strict, true);
});

test('a schema strict mode refuses gets the API 400 with its message, as the SDK reports it', async () => {
  const open = { ...bookingSchema, additionalProperties: true };
  await assert.rejects(ask(open), (error: unknown) => {
    assert.ok(error instanceof OpenAI.BadRequestError);
    assert.equal(error.status, 400);
    assert.equal(error.message, "400 Invalid schema for response_format 'booking': In context=(), 'additionalProperties' is required to be supplied and to be false.");
    return true;
  });
  const partlyRequired = { ...bookingSchema, properties: { ...bookingSchema.properties, dishes: { type: 'array', items: { type: 'object', additionalProperties: false, required: [], properties: { dish: { type: 'string' } } } } } };
  await assert.rejects(ask(partlyRequired), /In context=\('properties', 'dishes', 'items'\), 'required' is required to be supplied and to be an array including every key in properties\. Missing 'dish'\./);
  await assert.rejects(ask({ type: 'array', items: { type: 'string' } }), /schema must be a JSON Schema of 'type: "object"', got 'type: "array"'/);
});
