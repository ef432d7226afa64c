import type { UrlPolicy } from '../net/public-url.ts';
import { CREDENTIAL_PROVIDERS, type CredentialProvider } from '../repositories/provider-credentials.ts';

/**
 * Provider endpoints an organization chooses (an assistant's `base_url`s, a stored credential's `base_url`) are URLs a
 * tenant controls, like webhook endpoints: they get the same address policy, and never the server-wide provider key.
 * The API applies these rules when such a URL is saved, the runtime again when a session connects.
 */

/** The URL policy for provider base_urls: https and wss, plus http, ws and private addresses when the operator allows. */
export function providerUrlPolicy(allowPrivateProviderUrls: boolean): UrlPolicy {
  return { allowPrivate: allowPrivateProviderUrls, webSocket: true, allowedBy: 'ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS' };
}

export const PROVIDER_FIELDS = ['model', 'voice', 'transcriber'] as const;
export type ProviderField = (typeof PROVIDER_FIELDS)[number];

type ProviderConfigs = Record<ProviderField, { provider: string; base_url?: string | null }>;

/** One base_url an assistant sets, with the provider whose key would go to it and the field that names it. */
export interface AssistantProviderUrl {
  field: ProviderField;
  param: `${ProviderField}.base_url`;
  provider: CredentialProvider;
  url: string;
}

export function isCredentialProvider(provider: string): provider is CredentialProvider {
  return (CREDENTIAL_PROVIDERS as readonly string[]).includes(provider);
}

/** The base_urls an assistant's model, voice and transcriber set (offline providers have none). */
export function assistantProviderUrls(config: ProviderConfigs): AssistantProviderUrl[] {
  return PROVIDER_FIELDS.flatMap((field) => {
    const { provider, base_url: url } = config[field];
    return url && isCredentialProvider(provider) ? [{ field, param: `${field}.base_url` as const, provider, url }] : [];
  });
}

/** Why a tenant-chosen endpoint cannot be used without the organization's own key (safe to show the customer). */
export function ownCredentialRequired(provider: CredentialProvider, subject: string): string {
  return (
    `${subject} is an endpoint the organization chose, and the server's ${provider} key is only sent to ${provider}'s own ` +
    `endpoint: store the organization's own ${provider} key (PUT /v1/provider-credentials/${provider}) to use it.`
  );
}
