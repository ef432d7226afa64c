import { APIConnectionError, APITimeoutError } from '@livekit/agents';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';
import { ProviderError } from './provider-error.ts';

const NAMES: Record<string, string> = { openai: 'OpenAI', deepgram: 'Deepgram', elevenlabs: 'ElevenLabs', local: 'The local voice' };

/** The part of the assistant a library error type is about. */
function settingOf(assistant: AssistantSnapshot, errorType: string): { field: string; provider: string; model?: string; baseUrl?: string | null } | undefined {
  const { model, voice, transcriber } = assistant;
  if (errorType === 'stt_error') return { field: 'transcriber', provider: transcriber.provider, ...modelAndUrl(transcriber) };
  if (errorType === 'tts_error') return { field: 'voice', provider: voice.provider, ...modelAndUrl(voice) };
  if (errorType === 'llm_error' || errorType === 'realtime_model_error') return { field: 'model', provider: model.provider, ...modelAndUrl(model) };
  return undefined;
}

function modelAndUrl(config: object): { model?: string; baseUrl?: string | null } {
  const { model, base_url: baseUrl } = config as { model?: string; base_url?: string | null };
  return { model, baseUrl };
}

/**
 * A provider's failure during a session (the library's error event) as a ProviderError whose message says what the
 * customer should check: the key for a refusal, the model or base URL for a 404, the base URL for an unreachable
 * server, the account for a quota. The provider's own message follows for the details.
 */
export function providerFailure(assistant: AssistantSnapshot, failure: { type: string; error?: unknown }): ProviderError {
  const setting = settingOf(assistant, failure.type);
  const cause = failure.error;
  const detail = cause instanceof Error ? cause.message : failure.type;
  if (!setting) return new ProviderError('unknown', detail, { cause });
  const name = NAMES[setting.provider] ?? setting.provider;
  const status = statusOf(cause);
  const endpoint = setting.baseUrl ? `${setting.field}.base_url (${setting.baseUrl})` : `${name}'s own endpoint`;
  let advice: string;
  if (status === 401 || status === 403) advice = `${name} refused the API key (HTTP ${status}): check the organization's ${name} key under Providers, or the server's`;
  else if (status === 404) advice = `${name} answered 404: check ${setting.field}.model${setting.model ? ` ("${setting.model}")` : ''} and ${endpoint}`;
  else if (status === 429) advice = `${name} refused for rate limit or quota (HTTP 429): check the ${name} account's usage and billing`;
  else if (status !== undefined && status >= 500) advice = `${name} failed (HTTP ${status}): a problem on its side; try again later`;
  else if (status !== undefined) advice = `${name} refused the request (HTTP ${status}): check the assistant's ${setting.field} settings`;
  else if (cause instanceof APITimeoutError) advice = `${name} did not answer in time: check ${endpoint} and its load`;
  else if (cause instanceof APIConnectionError) advice = `${name} could not be reached: check ${endpoint}`;
  else advice = `${name} failed`;
  return new ProviderError(setting.provider, `${advice}. (${detail})`, { cause });
}

function statusOf(error: unknown): number | undefined {
  const { statusCode, status } = (error ?? {}) as { statusCode?: unknown; status?: unknown };
  const code = typeof statusCode === 'number' ? statusCode : typeof status === 'number' ? status : undefined;
  return code && code >= 400 ? code : undefined;
}
