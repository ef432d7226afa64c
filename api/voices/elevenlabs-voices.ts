import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import type { ProviderCredential } from '../../agent-runtime/providers/credentials.ts';
import { ProviderError } from '../../agent-runtime/providers/provider-error.ts';
import type { Voice } from './voice.ts';

const PAGE_SIZE = 100;
const TIMEOUT_S = 10;

/**
 * The voices of an ElevenLabs account (its own, cloned and saved library voices), through ElevenLabs' SDK, first page
 * of 100 matching `search`. A base URL is given with `/v1` (as the speech plugin takes it); the SDK adds its own paths.
 */
export async function listElevenLabsVoices(access: ProviderCredential, search: string | undefined): Promise<{ voices: Voice[]; hasMore: boolean }> {
  const client = new ElevenLabsClient({
    apiKey: access.apiKey,
    ...(access.baseUrl ? { baseUrl: access.baseUrl.replace(/\/v1\/?$/, '') } : {}),
    timeoutInSeconds: TIMEOUT_S,
    maxRetries: 1,
    // The base URL passed the provider URL policy; a redirect could lead anywhere, so none is followed.
    fetch: (input, init) => fetch(input, { ...init, redirect: 'error' }),
  });
  try {
    const page = await client.voices.search({ pageSize: PAGE_SIZE, search, sort: 'name', sortDirection: 'asc' });
    const voices = page.voices.map((voice): Voice => ({
      object: 'voice',
      provider: 'elevenlabs',
      id: voice.voiceId,
      name: voice.name ?? voice.voiceId,
      language: voice.labels?.language ?? null,
      description: voice.description ?? null,
      preview_url: voice.previewUrl ?? null,
    }));
    return { voices, hasMore: page.hasMore };
  } catch (error) {
    throw new ProviderError('elevenlabs', listingFailure(error));
  }
}

/** What went wrong, in words that say what to check. */
function listingFailure(error: unknown): string {
  if (error instanceof ElevenLabsError && (error.statusCode === 401 || error.statusCode === 403)) {
    return `ElevenLabs refused the API key (HTTP ${error.statusCode}): check the organization's ElevenLabs key under Providers`;
  }
  if (error instanceof ElevenLabsError && error.statusCode) return `ElevenLabs answered HTTP ${error.statusCode} listing voices: try again, or check its status`;
  return `ElevenLabs could not be reached to list voices (${(error as Error).message}): check the ElevenLabs base URL`;
}
