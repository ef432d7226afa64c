import type { llm as llmTypes, stt as sttTypes, tts as ttsTypes, VAD } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { assistantProviderUrls, isCredentialProvider, PROVIDER_FIELDS, type ProviderField } from '../../core/domain/provider-endpoints.ts';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';
import { type AccessContext, type ProviderCredential, resolveProviderAccess } from './credentials.ts';
import { LocalTTS } from './local-tts.ts';
import { ProviderError } from './provider-error.ts';
import { ScriptedLLM } from './scripted-llm.ts';
import type { SharedResources } from './shared-resources.ts';

export interface SessionProviders {
  vad: VAD;
  stt: sttTypes.STT | undefined;
  llm: llmTypes.LLM;
  tts: ttsTypes.TTS;
}

export interface ProviderContext extends AccessContext {
  assistant: AssistantSnapshot;
  resources: SharedResources;
  /** The rate the session's audio output runs at; offline TTS renders straight to it. */
  outputSampleRateHz: number;
}

/** The key and endpoint each cloud provider of the session uses, by assistant field. */
type SessionAccess = ReadonlyMap<ProviderField, ProviderCredential>;

/** Models that exist only on OpenAI's realtime transcription endpoint; everything else goes through /audio/transcriptions. */
const REALTIME_ONLY_STT_MODELS = new Set(['gpt-realtime-whisper', 'gpt-live-transcribe']);

/** Decides every cloud provider's key and endpoint before any is built, so a refused endpoint is never contacted. */
async function resolveSessionAccess(context: ProviderContext): Promise<SessionAccess> {
  const urls = assistantProviderUrls(context.assistant);
  const resolved = await Promise.all(
    PROVIDER_FIELDS.map(async (field) => {
      const { provider } = context.assistant[field];
      if (!isCredentialProvider(provider)) return [];
      const access = await resolveProviderAccess(provider, urls.find((url) => url.field === field), context);
      return [[field, access] as const];
    }),
  );
  return new Map(resolved.flat());
}

function accessFor(access: SessionAccess, field: ProviderField): ProviderCredential {
  const credential = access.get(field);
  if (!credential) throw new Error(`No provider access was resolved for the ${field}`);
  return credential;
}

function build<T>(provider: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw new ProviderError(provider, `Could not set up ${provider}: ${(error as Error).message}`, { cause: error });
  }
}

function buildLlm(context: ProviderContext, access: SessionAccess): llmTypes.LLM {
  const model = context.assistant.model;
  if (model.provider === 'scripted') return new ScriptedLLM(model.script);
  return build('openai', () => {
    const credential = accessFor(access, 'model');
    return new openai.LLM({
      model: model.model ?? 'gpt-4o-mini',
      client: context.resources.openAiClient(credential.apiKey, credential.baseUrl),
      temperature: model.temperature,
      maxCompletionTokens: model.max_tokens ?? undefined,
    });
  });
}

function buildStt(context: ProviderContext, access: SessionAccess, vad: VAD): sttTypes.STT | undefined {
  const transcriber = context.assistant.transcriber;
  switch (transcriber.provider) {
    case 'none':
      return undefined;
    case 'deepgram':
      return build('deepgram', () => {
        const credential = accessFor(access, 'transcriber');
        return new deepgram.STT({
          apiKey: credential.apiKey,
          model: transcriber.model ?? 'nova-3',
          language: transcriber.language ?? 'en-US',
          ...(credential.baseUrl ? { baseUrl: credential.baseUrl } : {}),
        });
      });
    case 'openai':
      return build('openai', () => {
        const credential = accessFor(access, 'transcriber');
        const model = transcriber.model ?? 'gpt-4o-mini-transcribe';
        // Non-realtime by default: it works against any OpenAI-compatible server and avoids the realtime stream's
        // unhandled rejection on close; the session wraps it with the VAD to cut utterances.
        const useRealtime = REALTIME_ONLY_STT_MODELS.has(model);
        const baseURL = credential.baseUrl;
        return new openai.STT({
          model,
          useRealtime,
          // The plugin insists on its own key (it reads $OPENAI_API_KEY otherwise) even when given a client, and its
          // realtime socket is built from these rather than from the client.
          apiKey: credential.apiKey,
          ...(baseURL ? { baseURL } : {}),
          ...(transcriber.language ? { language: transcriber.language } : {}),
          client: context.resources.openAiClient(credential.apiKey, baseURL),
          ...(useRealtime ? { vad } : {}),
        });
      });
  }
}

function buildTts(context: ProviderContext, access: SessionAccess): ttsTypes.TTS {
  const voice = context.assistant.voice;
  switch (voice.provider) {
    case 'local':
      return build('local', () => {
        return new LocalTTS({ sampleRateHz: context.outputSampleRateHz, voice: voice.voice_id, speed: voice.speed_wpm });
      });
    case 'openai':
      return build('openai', () => {
        const credential = accessFor(access, 'voice');
        return new openai.TTS({
          model: voice.model ?? 'tts-1',
          voice: (voice.voice_id ?? 'alloy') as openai.TTSVoices,
          client: context.resources.openAiClient(credential.apiKey, credential.baseUrl),
          ...(voice.speed !== undefined ? { speed: voice.speed } : {}),
        });
      });
    case 'elevenlabs':
      return build('elevenlabs', () => {
        const credential = accessFor(access, 'voice');
        const settings = voice.settings ?? {};
        return new elevenlabs.TTS({
          apiKey: credential.apiKey,
          ...(voice.voice_id ? { voiceId: voice.voice_id } : {}),
          ...(voice.model ? { model: voice.model } : {}),
          ...(credential.baseUrl ? { baseURL: credential.baseUrl } : {}),
          ...(Object.keys(settings).length ? { voiceSettings: elevenLabsVoiceSettings(settings) } : {}),
          encoding: elevenLabsEncodingFor(context.outputSampleRateHz),
        });
      });
  }
}

/**
 * Raw PCM (the plugin only handles pcm_*) at the session's own rate when ElevenLabs offers it: every frame the
 * library would otherwise resample is a native call, per session, for the whole reply.
 */
function elevenLabsEncodingFor(sampleRateHz: number): elevenlabs.TTSEncoding {
  if (sampleRateHz === 16000) return 'pcm_16000';
  if (sampleRateHz === 44100) return 'pcm_44100';
  return 'pcm_22050';
}

/** Our snake_case voice settings to the plugin's shape (ElevenLabs needs stability and similarity together). */
function elevenLabsVoiceSettings(settings: Record<string, unknown>): elevenlabs.VoiceSettings {
  const number = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);
  return {
    stability: number(settings.stability, 0.5),
    similarity_boost: number(settings.similarity_boost, 0.75),
    ...(typeof settings.style === 'number' ? { style: settings.style } : {}),
    ...(typeof settings.speed === 'number' ? { speed: settings.speed } : {}),
  } as elevenlabs.VoiceSettings;
}

/**
 * Builds the providers an assistant names, exactly those: a provider that cannot be built (no key, a refused endpoint,
 * bad option) is a ProviderError naming it, never a silent swap for another one.
 */
export async function buildProviders(context: ProviderContext): Promise<SessionProviders> {
  const access = await resolveSessionAccess(context);
  const vad = await context.resources.vad(context.assistant.turn.vad).catch((error: unknown) => {
    throw new ProviderError(`vad-${context.assistant.turn.vad}`, `Could not load the VAD: ${(error as Error).message}`, { cause: error });
  });
  return { vad, llm: buildLlm(context, access), stt: buildStt(context, access, vad), tts: buildTts(context, access) };
}

/**
 * Opens, while the session starts, what the first reply would otherwise wait for: the ElevenLabs WebSocket (a TCP
 * and TLS handshake on the first reply's critical path).
 * Never rejects: a connection that fails here is retried by the first reply, which reports the provider's error.
 */
export function prewarmProviders(providers: SessionProviders): Promise<void> {
  if (!(providers.tts instanceof elevenlabs.TTS)) return Promise.resolve();
  return providers.tts.currentConnection().then(
    () => undefined,
    () => undefined,
  );
}
