/**
 * The eSpeak voices the local text-to-speech can speak with: the voice files mespeak ships (`mespeak/voices/<file>.json`),
 * by the id an assistant names (`voice.voice_id`).
 */
export const ESPEAK_VOICES = [
  { id: 'en-us', file: 'en/en-us', name: 'English (American)', language: 'en-US' },
  { id: 'en-gb', file: 'en/en', name: 'English (British)', language: 'en-GB' },
  { id: 'en-rp', file: 'en/en-rp', name: 'English (Received Pronunciation)', language: 'en-GB' },
  { id: 'en-sc', file: 'en/en-sc', name: 'English (Scottish)', language: 'en-GB' },
  { id: 'en-n', file: 'en/en-n', name: 'English (Northern British)', language: 'en-GB' },
  { id: 'en-wm', file: 'en/en-wm', name: 'English (West Midlands)', language: 'en-GB' },
  { id: 'ca', file: 'ca', name: 'Catalan', language: 'ca' },
  { id: 'cs', file: 'cs', name: 'Czech', language: 'cs' },
  { id: 'de', file: 'de', name: 'German', language: 'de' },
  { id: 'el', file: 'el', name: 'Greek', language: 'el' },
  { id: 'eo', file: 'eo', name: 'Esperanto', language: 'eo' },
  { id: 'es', file: 'es', name: 'Spanish', language: 'es' },
  { id: 'es-la', file: 'es-la', name: 'Spanish (Latin American)', language: 'es-419' },
  { id: 'fi', file: 'fi', name: 'Finnish', language: 'fi' },
  { id: 'fr', file: 'fr', name: 'French', language: 'fr' },
  { id: 'hu', file: 'hu', name: 'Hungarian', language: 'hu' },
  { id: 'it', file: 'it', name: 'Italian', language: 'it' },
  { id: 'kn', file: 'kn', name: 'Kannada', language: 'kn' },
  { id: 'la', file: 'la', name: 'Latin', language: 'la' },
  { id: 'lv', file: 'lv', name: 'Latvian', language: 'lv' },
  { id: 'nl', file: 'nl', name: 'Dutch', language: 'nl' },
  { id: 'pl', file: 'pl', name: 'Polish', language: 'pl' },
  { id: 'pt', file: 'pt', name: 'Portuguese (Brazilian)', language: 'pt-BR' },
  { id: 'pt-pt', file: 'pt-pt', name: 'Portuguese (European)', language: 'pt-PT' },
  { id: 'ro', file: 'ro', name: 'Romanian', language: 'ro' },
  { id: 'sk', file: 'sk', name: 'Slovak', language: 'sk' },
  { id: 'sv', file: 'sv', name: 'Swedish', language: 'sv' },
  { id: 'tr', file: 'tr', name: 'Turkish', language: 'tr' },
  { id: 'zh', file: 'zh', name: 'Chinese (Mandarin)', language: 'zh' },
  { id: 'zh-yue', file: 'zh-yue', name: 'Chinese (Cantonese)', language: 'yue' },
] as const;

const byId = new Map<string, (typeof ESPEAK_VOICES)[number]>(ESPEAK_VOICES.map((voice) => [voice.id, voice]));

export function isEspeakVoice(id: string): boolean {
  return byId.has(id);
}

/** The voice file (`mespeak/voices/<file>.json`) of a voice id; en-us's for an id saved before voices were checked. */
export function espeakVoiceFile(id: string): string {
  return (byId.get(id) ?? byId.get('en-us')!).file;
}
