/** A provider key and optional base URL: the organization's own (decrypted) or the server-wide fallback from env. */
export interface ProviderCredential {
  apiKey: string;
  baseUrl?: string;
}

export type CredentialProvider = 'openai' | 'deepgram' | 'elevenlabs';

const ENV_KEYS: Record<CredentialProvider, string> = {
  openai: 'OPENAI_API_KEY',
  deepgram: 'DEEPGRAM_API_KEY',
  elevenlabs: 'ELEVEN_API_KEY',
};

/** Organization credential first, then the server's environment; undefined when neither exists. */
export function resolveCredential(
  provider: CredentialProvider,
  orgCredentials: ReadonlyMap<string, ProviderCredential>,
  env: NodeJS.ProcessEnv,
): ProviderCredential | undefined {
  const own = orgCredentials.get(provider);
  if (own) return own;
  const apiKey = env[ENV_KEYS[provider]];
  return apiKey ? { apiKey } : undefined;
}
