import { useQuery } from '@tanstack/react-query';
import { useFormContext, useWatch } from 'react-hook-form';
import { ApiError, errorMessage } from '../../api/api-error';
import { api, unwrap } from '../../api/client';
import { Field } from '../../components/Field';
import type { AssistantFormValues } from './assistant-form';

type VoiceProvider = AssistantFormValues['voice']['provider'];

const ID_HINTS: Record<VoiceProvider, string> = {
  local: 'An eSpeak voice such as en-us.',
  openai: 'An OpenAI voice such as alloy.',
  elevenlabs: 'The ElevenLabs voice id (from your voice library).',
};

/**
 * The voice, picked from the provider's list (`GET /v1/voices`). A value not in the list (a voice saved earlier) stays
 * selectable. When the list cannot be had (no ElevenLabs key yet, ElevenLabs refusing it) the id is typed instead,
 * with the reason under it.
 */
export function VoicePicker({ provider }: { provider: VoiceProvider }) {
  const { register, control } = useFormContext<AssistantFormValues>();
  const current = useWatch({ control, name: 'voice.voice_id' });
  const voices = useQuery({
    queryKey: ['voices', provider],
    queryFn: () => unwrap(api.GET('/v1/voices', { params: { query: { provider } } })),
    retry: false,
    staleTime: 5 * 60_000,
  });

  if (!voices.isSuccess) {
    const hint = voices.isError ? `${listFailure(voices.error)} ${ID_HINTS[provider]}` : ID_HINTS[provider];
    return (
      <Field name="voice.voice_id" label="Voice" hint={hint}>
        <input {...register('voice.voice_id')} />
      </Field>
    );
  }
  const listed = voices.data.data;
  const unlisted = current && !listed.some((voice) => voice.id === current);
  return (
    <Field name="voice.voice_id" label="Voice" hint={voices.data.has_more ? 'The first 100 voices of your account, by name.' : undefined}>
      <select {...register('voice.voice_id')}>
        {!current && <option value="">Choose a voice</option>}
        {unlisted && <option value={current}>{current} (not in the list)</option>}
        {listed.map((voice) => (
          <option key={voice.id} value={voice.id}>
            {voice.name}
            {voice.language ? ` (${voice.language})` : ''}
          </option>
        ))}
      </select>
    </Field>
  );
}

function listFailure(error: unknown): string {
  if (error instanceof ApiError && error.code === 'provider_not_configured') return 'Add an ElevenLabs key under Providers to pick from your voices.';
  return `The voices could not be listed: ${errorMessage(error)}.`;
}
