/** A voice an assistant can name as `voice.voice_id`, as `GET /v1/voices` lists it. */
export interface Voice {
  object: 'voice';
  provider: 'local' | 'openai' | 'elevenlabs';
  id: string;
  name: string;
  /** BCP 47, when the provider says. */
  language: string | null;
  description: string | null;
  /** A short sample to listen to, when the provider has one. */
  preview_url: string | null;
}
