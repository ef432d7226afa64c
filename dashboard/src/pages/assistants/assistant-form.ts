import type { Schemas } from '../../api/client';
import { emptyAnalysisForm, toAnalysisForm, toAnalysisRequest, type AnalysisFormValues } from '../evaluations/analysis-form';

type Assistant = Schemas['Assistant'];
type AssistantRequest = Schemas['CreateAssistantRequest'];

/**
 * The builder's form values. Numbers are kept as the strings the inputs hold (empty means "default" or "none"), JSON as
 * text, lists as editable rows; `toRequest` turns them into the API's body. Field names follow the API's dotted paths
 * so an error's `param` names the input it belongs to.
 */
export interface AssistantFormValues {
  name: string;
  system_prompt: string;
  first_message: string;
  first_message_interruptible: boolean;
  model: {
    provider: 'scripted' | 'openai';
    model: string;
    temperature: string;
    max_tokens: string;
    base_url: string;
    script: { rules: { pattern: string; reply: string }[]; default_reply: string };
  };
  voice: {
    provider: 'local' | 'openai' | 'elevenlabs';
    voice_id: string;
    model: string;
    speed: string;
    speed_wpm: string;
    base_url: string;
    settings: { stability: string; similarity_boost: string; style: string; speed: string };
  };
  transcriber: { provider: 'none' | 'deepgram' | 'openai'; model: string; language: string; base_url: string };
  turn: {
    interruptions_enabled: boolean;
    interruption_min_duration_ms: string;
    interruption_min_words: string;
    endpointing_min_delay_ms: string;
    endpointing_max_delay_ms: string;
    vad: 'default' | 'silero';
  };
  tools: ToolFormValues[];
  end_call_phrases: string;
  end_call_message: string;
  silence_timeout_s: string;
  max_duration_s: string;
  recording_enabled: boolean;
  server_url: string;
  metadata: { key: string; value: string }[];
  analysis: AnalysisFormValues;
}

export interface ToolFormValues {
  type: 'function' | 'end_call';
  name: string;
  description: string;
  parameters: string;
  server: { url: string; timeout_ms: string };
}

export const TURN_DEFAULTS = {
  interruption_min_duration_ms: 500,
  interruption_min_words: 0,
  endpointing_min_delay_ms: 500,
  endpointing_max_delay_ms: 6000,
};

export const PROVIDER_DEFAULTS = {
  openaiModel: 'gpt-4o-mini',
  elevenlabsModel: 'eleven_turbo_v2_5',
  openaiVoice: 'alloy',
  openaiVoiceModel: 'gpt-4o-mini-tts',
  localVoice: 'en-us',
  deepgramModel: 'nova-3',
  deepgramLanguage: 'en-US',
  openaiTranscriber: 'gpt-4o-transcribe',
};

const EMPTY_PARAMETERS = JSON.stringify({ type: 'object', properties: {}, required: [] }, null, 2);

export function newTool(type: ToolFormValues['type']): ToolFormValues {
  return { type, name: '', description: '', parameters: EMPTY_PARAMETERS, server: { url: '', timeout_ms: '5000' } };
}

export function emptyForm(): AssistantFormValues {
  return {
    name: '',
    system_prompt: '',
    first_message: '',
    first_message_interruptible: true,
    model: { provider: 'scripted', model: PROVIDER_DEFAULTS.openaiModel, temperature: '0.7', max_tokens: '', base_url: '', script: { rules: [], default_reply: "I'm a scripted assistant." } },
    voice: { provider: 'local', voice_id: PROVIDER_DEFAULTS.localVoice, model: '', speed: '1', speed_wpm: '175', base_url: '', settings: { stability: '', similarity_boost: '', style: '', speed: '' } },
    transcriber: { provider: 'none', model: '', language: '', base_url: '' },
    turn: {
      interruptions_enabled: true,
      interruption_min_duration_ms: String(TURN_DEFAULTS.interruption_min_duration_ms),
      interruption_min_words: String(TURN_DEFAULTS.interruption_min_words),
      endpointing_min_delay_ms: String(TURN_DEFAULTS.endpointing_min_delay_ms),
      endpointing_max_delay_ms: String(TURN_DEFAULTS.endpointing_max_delay_ms),
      vad: 'default',
    },
    tools: [],
    end_call_phrases: '',
    end_call_message: '',
    silence_timeout_s: '',
    max_duration_s: '1800',
    recording_enabled: true,
    server_url: '',
    metadata: [],
    analysis: emptyAnalysisForm(),
  };
}

/** The voice section as a new assistant with this provider has it: nothing kept from another provider's voice. */
export function voiceDefaults(provider: AssistantFormValues['voice']['provider']): AssistantFormValues['voice'] {
  const voiceId = { local: PROVIDER_DEFAULTS.localVoice, openai: PROVIDER_DEFAULTS.openaiVoice, elevenlabs: '' }[provider];
  return { ...emptyForm().voice, provider, voice_id: voiceId };
}

export function modelDefaults(provider: AssistantFormValues['model']['provider']): AssistantFormValues['model'] {
  return { ...emptyForm().model, provider };
}

export function transcriberDefaults(provider: AssistantFormValues['transcriber']['provider']): AssistantFormValues['transcriber'] {
  return { ...emptyForm().transcriber, provider };
}

const text = (value: number | string | null | undefined) => (value == null ? '' : String(value));

export function toForm(assistant: Assistant): AssistantFormValues {
  const form = emptyForm();
  form.name = assistant.name;
  form.system_prompt = assistant.system_prompt;
  form.first_message = assistant.first_message ?? '';
  form.first_message_interruptible = assistant.first_message_interruptible;

  const { model, voice, transcriber, turn } = assistant;
  if (model.provider === 'openai') {
    Object.assign(form.model, { provider: 'openai', model: model.model, temperature: text(model.temperature), max_tokens: text(model.max_tokens), base_url: text(model.base_url) });
  } else {
    form.model.script = { rules: model.script.rules.map((rule) => ({ ...rule })), default_reply: model.script.default_reply };
  }

  if (voice.provider === 'local') Object.assign(form.voice, { provider: 'local', voice_id: voice.voice_id, speed_wpm: text(voice.speed_wpm) });
  if (voice.provider === 'openai') Object.assign(form.voice, { provider: 'openai', voice_id: voice.voice_id, model: voice.model, speed: text(voice.speed), base_url: text(voice.base_url) });
  if (voice.provider === 'elevenlabs') {
    Object.assign(form.voice, { provider: 'elevenlabs', voice_id: voice.voice_id, model: voice.model, base_url: text(voice.base_url) });
    form.voice.settings = {
      stability: text(voice.settings?.stability),
      similarity_boost: text(voice.settings?.similarity_boost),
      style: text(voice.settings?.style),
      speed: text(voice.settings?.speed),
    };
  }

  if (transcriber.provider !== 'none') {
    form.transcriber = { provider: transcriber.provider, model: transcriber.model, language: text(transcriber.language), base_url: text(transcriber.base_url) };
  }

  form.turn = {
    interruptions_enabled: turn.interruptions_enabled,
    interruption_min_duration_ms: text(turn.interruption_min_duration_ms),
    interruption_min_words: text(turn.interruption_min_words),
    endpointing_min_delay_ms: text(turn.endpointing_min_delay_ms),
    endpointing_max_delay_ms: text(turn.endpointing_max_delay_ms),
    vad: turn.vad,
  };
  form.tools = assistant.tools.map((tool) =>
    tool.type === 'function'
      ? { type: 'function', name: tool.name, description: tool.description, parameters: JSON.stringify(tool.parameters, null, 2), server: { url: tool.server.url, timeout_ms: text(tool.server.timeout_ms) } }
      : { ...newTool('end_call'), description: tool.description ?? '' },
  );
  form.end_call_phrases = assistant.end_call_phrases.join('\n');
  form.end_call_message = assistant.end_call_message ?? '';
  form.silence_timeout_s = text(assistant.silence_timeout_s);
  form.max_duration_s = text(assistant.max_duration_s);
  form.recording_enabled = assistant.recording_enabled;
  form.server_url = assistant.server_url ?? '';
  form.metadata = Object.entries(assistant.metadata).map(([key, value]) => ({ key, value }));
  form.analysis = toAnalysisForm(assistant.analysis);
  return form;
}

/** A number where one was typed; the raw text otherwise, so the API (not the form) says what is wrong with it. */
export function numberOr<T>(value: string, whenEmpty: T): number | T {
  const trimmed = value.trim();
  if (trimmed === '') return whenEmpty;
  const parsed = Number(trimmed);
  return (Number.isFinite(parsed) ? parsed : trimmed) as number;
}

export const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** Thrown for input the form itself cannot turn into a request (a tool schema that is not JSON). */
export class FormFieldError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export function toRequest(form: AssistantFormValues): AssistantRequest {
  const settings = Object.fromEntries(
    Object.entries(form.voice.settings).flatMap(([key, value]) => (value.trim() === '' ? [] : [[key, numberOr(value, undefined)]])),
  );
  const model: AssistantRequest['model'] =
    form.model.provider === 'openai'
      ? { provider: 'openai', model: form.model.model.trim(), temperature: numberOr(form.model.temperature, undefined), max_tokens: numberOr(form.model.max_tokens, null), base_url: orNull(form.model.base_url) }
      : { provider: 'scripted', script: { rules: form.model.script.rules, default_reply: form.model.script.default_reply } };
  const voice: AssistantRequest['voice'] =
    form.voice.provider === 'local'
      ? { provider: 'local', voice_id: form.voice.voice_id.trim(), speed_wpm: numberOr(form.voice.speed_wpm, undefined) }
      : form.voice.provider === 'openai'
        ? { provider: 'openai', voice_id: form.voice.voice_id.trim(), model: form.voice.model.trim() || undefined, speed: numberOr(form.voice.speed, undefined), base_url: orNull(form.voice.base_url) }
        : { provider: 'elevenlabs', voice_id: form.voice.voice_id.trim(), model: form.voice.model.trim() || undefined, settings: Object.keys(settings).length ? settings : null, base_url: orNull(form.voice.base_url) };
  const transcriber: AssistantRequest['transcriber'] =
    form.transcriber.provider === 'none'
      ? { provider: 'none' }
      : form.transcriber.provider === 'deepgram'
        ? { provider: 'deepgram', model: form.transcriber.model.trim() || undefined, language: form.transcriber.language.trim() || undefined, base_url: orNull(form.transcriber.base_url) }
        : { provider: 'openai', model: form.transcriber.model.trim() || undefined, language: orNull(form.transcriber.language), base_url: orNull(form.transcriber.base_url) };

  return {
    name: form.name,
    system_prompt: form.system_prompt,
    first_message: form.first_message.trim() === '' ? null : form.first_message,
    first_message_interruptible: form.first_message_interruptible,
    model,
    voice,
    transcriber,
    turn: {
      interruptions_enabled: form.turn.interruptions_enabled,
      interruption_min_duration_ms: numberOr(form.turn.interruption_min_duration_ms, undefined),
      interruption_min_words: numberOr(form.turn.interruption_min_words, undefined),
      endpointing_min_delay_ms: numberOr(form.turn.endpointing_min_delay_ms, undefined),
      endpointing_max_delay_ms: numberOr(form.turn.endpointing_max_delay_ms, undefined),
      vad: form.turn.vad,
    },
    tools: form.tools.map((tool, index) => {
      if (tool.type === 'end_call') return { type: 'end_call', ...(tool.description.trim() ? { description: tool.description.trim() } : {}) };
      let parameters: Schemas['JsonSchemaObject'];
      try {
        parameters = JSON.parse(tool.parameters) as Schemas['JsonSchemaObject'];
      } catch (error) {
        throw new FormFieldError(`tools.${index}.parameters`, `is not valid JSON (${(error as Error).message})`);
      }
      return { type: 'function', name: tool.name.trim(), description: tool.description, parameters, server: { url: tool.server.url.trim(), timeout_ms: numberOr(tool.server.timeout_ms, undefined) } };
    }),
    end_call_phrases: form.end_call_phrases.split('\n').map((phrase) => phrase.trim()).filter(Boolean),
    end_call_message: form.end_call_message.trim() === '' ? null : form.end_call_message,
    silence_timeout_s: numberOr(form.silence_timeout_s, null),
    max_duration_s: numberOr(form.max_duration_s, undefined),
    recording_enabled: form.recording_enabled,
    server_url: orNull(form.server_url),
    metadata: Object.fromEntries(form.metadata.filter((row) => row.key.trim() !== '').map((row) => [row.key.trim(), row.value])),
    analysis: toAnalysisRequest(form.analysis),
  };
}
