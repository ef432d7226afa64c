import { ESPEAK_VOICES } from '../../core/voices/espeak-voices.ts';
import type { Voice } from './voice.ts';

/** The eSpeak voices of the local text-to-speech. */
export const LOCAL_VOICES: Voice[] = ESPEAK_VOICES.map(({ id, name, language }) => ({
  object: 'voice',
  provider: 'local',
  id,
  name,
  language,
  description: null,
  preview_url: null,
}));

/**
 * OpenAI's text-to-speech voices. The API has no endpoint that lists them: this is the list its speech guide documents
 * (all multilingual; `ballad`, `verse`, `marin` and `cedar` only with gpt-4o-mini-tts).
 */
export const OPENAI_VOICES: Voice[] = (
  [
    ['alloy', 'Alloy'],
    ['ash', 'Ash'],
    ['ballad', 'Ballad'],
    ['coral', 'Coral'],
    ['echo', 'Echo'],
    ['fable', 'Fable'],
    ['nova', 'Nova'],
    ['onyx', 'Onyx'],
    ['sage', 'Sage'],
    ['shimmer', 'Shimmer'],
    ['verse', 'Verse'],
    ['marin', 'Marin'],
    ['cedar', 'Cedar'],
  ] as const
).map(([id, name]) => ({ object: 'voice', provider: 'openai', id, name, language: null, description: null, preview_url: null }));
