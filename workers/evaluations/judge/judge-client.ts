import OpenAI from 'openai';
import { compileOutputSchema } from '../../../core/evaluations/structured-output-schema.ts';
import type { JudgeUsage } from '../../../core/evaluations/evaluation-result.ts';
import type { ChatMessage } from './judge-prompts.ts';

/** Retries the SDK makes on provider errors (5xx, 429, timeouts, connection errors), with its exponential backoff. */
const JUDGE_PROVIDER_RETRIES = 2;
/** Requests per answer when the reply is not JSON valid against the schema (a provider that ignores strict mode). */
const JUDGE_OUTPUT_ATTEMPTS = 3;
const JUDGE_TIMEOUT_MS = 60_000;

/** The judge could not answer; the message is the provider's (or says what it answered), safe to show the customer. */
export class JudgeError extends Error {}

export interface JudgeOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  temperature: number;
}

/**
 * A model behind any OpenAI-compatible endpoint, asked through the `openai` SDK with structured outputs
 * (`response_format: json_schema`, strict). Every answer is checked against its schema here too: a compatible
 * server may not enforce it. Token usage adds up across the calls of one evaluation.
 */
export class Judge {
  readonly model: string;
  readonly usage: JudgeUsage = { requests: 0, prompt_tokens: 0, completion_tokens: 0 };
  private readonly client: OpenAI;
  private readonly temperature: number;

  constructor(options: JudgeOptions) {
    this.model = options.model;
    this.temperature = options.temperature;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: JUDGE_PROVIDER_RETRIES, timeout: JUDGE_TIMEOUT_MS });
  }

  /** The answer to `messages`, valid against `schema`, or a JudgeError once the retries are spent. */
  async ask(name: string, schema: Record<string, unknown>, messages: ChatMessage[]): Promise<unknown> {
    const compiled = compileOutputSchema(schema);
    if (!compiled.ok) throw new JudgeError(`The ${name} schema ${compiled.reason}`);
    let problem = '';
    for (let attempt = 1; attempt <= JUDGE_OUTPUT_ATTEMPTS; attempt++) {
      const completion = await this.complete(name, schema, messages);
      const message = completion.choices[0]?.message;
      if (message?.refusal) throw new JudgeError(`The judge refused to answer (${name}): ${message.refusal}`);
      const content = message?.content ?? '';
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch {
        problem = `its reply is not JSON (${JSON.stringify(content.slice(0, 80))})`;
        continue;
      }
      const invalid = compiled.validate(value);
      if (!invalid) return value;
      problem = `its reply does not match the schema: ${invalid}`;
    }
    throw new JudgeError(`The judge (${this.model}) gave no valid ${name} in ${JUDGE_OUTPUT_ATTEMPTS} attempts: ${problem}`);
  }

  private async complete(name: string, schema: Record<string, unknown>, messages: ChatMessage[]) {
    this.usage.requests++;
    try {
      const completion = await this.client.chat.completions.create({
        model: this.model,
        temperature: this.temperature,
        messages,
        response_format: { type: 'json_schema', json_schema: { name, schema, strict: true } },
      });
      this.usage.prompt_tokens += completion.usage?.prompt_tokens ?? 0;
      this.usage.completion_tokens += completion.usage?.completion_tokens ?? 0;
      return completion;
    } catch (error) {
      if (error instanceof OpenAI.APIError) throw new JudgeError(`The judge's provider failed (${this.model}): ${error.message}`);
      throw error;
    }
  }
}
