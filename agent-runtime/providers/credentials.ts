import { type AssistantProviderUrl, ownCredentialRequired } from '../../core/domain/provider-endpoints.ts';
import { assertPublicUrl, UnsafeUrlError, type UrlPolicy } from '../../core/net/public-url.ts';
import type { CredentialProvider } from '../../core/repositories/provider-credentials.ts';
import { ProviderError } from './provider-error.ts';

export type { CredentialProvider };

/** A provider key and optional base URL: the organization's own (decrypted) or the server-wide fallback from env. */
export interface ProviderCredential {
  apiKey: string;
  baseUrl?: string;
}

const ENV_KEYS: Record<CredentialProvider, string> = {
  openai: 'OPENAI_API_KEY',
  deepgram: 'DEEPGRAM_API_KEY',
  elevenlabs: 'ELEVEN_API_KEY',
};

/**
 * The server-wide provider keys, read from the environment when a session starts (and allowed in deployment files).
 * @public
 */
export const PROVIDER_KEY_VARIABLES: readonly string[] = Object.values(ENV_KEYS);

/** Whether a session could get a key for `provider`: the organization's own, or the server-wide one. */
export function hasProviderKey(provider: CredentialProvider, credentials: ReadonlyMap<string, ProviderCredential>, env: NodeJS.ProcessEnv): boolean {
  return credentials.has(provider) || !!env[ENV_KEYS[provider]];
}

export interface AccessContext {
  credentials: ReadonlyMap<string, ProviderCredential>;
  env: NodeJS.ProcessEnv;
  /** The provider URL policy (ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS). */
  urlPolicy: UrlPolicy;
}

/**
 * The key a provider client gets and the endpoint it may send it to, decided when a session connects:
 * - an endpoint the organization chose (the assistant's base_url, else its stored credential's) is checked against the
 *   provider URL policy with DNS, as webhooks are, and only ever gets the organization's own key;
 * - the server-wide key (OPENAI_API_KEY, …) goes only to the provider's default endpoint (`baseUrl` left unset, so the
 *   client uses its own default or an endpoint the operator configured for it).
 * Refusals are ProviderErrors whose message is safe to show the customer; nothing has been contacted by then.
 */
export async function resolveProviderAccess(
  provider: CredentialProvider,
  assistantUrl: Pick<AssistantProviderUrl, 'url'> & { param: string } | undefined,
  context: AccessContext,
): Promise<ProviderCredential> {
  const own = context.credentials.get(provider);
  const chosen = assistantUrl
    ? { subject: assistantUrl.param, url: assistantUrl.url }
    : own?.baseUrl
      ? { subject: `the organization's ${provider} credential base_url`, url: own.baseUrl }
      : undefined;
  if (chosen) {
    if (!own) throw new ProviderError(provider, ownCredentialRequired(provider, chosen.subject));
    try {
      await assertPublicUrl(chosen.url, context.urlPolicy);
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw new ProviderError(provider, `${chosen.subject} was refused: ${error.message}`);
      throw error;
    }
    return { apiKey: own.apiKey, baseUrl: chosen.url };
  }
  if (own) return { apiKey: own.apiKey };
  const apiKey = context.env[ENV_KEYS[provider]];
  if (!apiKey) throw new ProviderError(provider, `No ${provider} API key: add a provider credential for the organization or set it on the server`);
  return { apiKey };
}
