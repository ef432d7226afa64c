import type { Config } from '../../core/config.ts';
import type { Transaction } from '../../core/db/database.ts';
import type { AssistantConfig } from '../../core/domain/assistant-config.ts';
import { assistantProviderUrls, ownCredentialRequired, providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { judgeProviderUrls } from '../../core/evaluations/analysis-config.ts';
import { invalid } from '../../core/errors.ts';
import { listProviderCredentials } from '../../core/repositories/provider-credentials.ts';
import { assertSavedUrl, callbackUrlPolicy } from '../http/url-validation.ts';

/**
 * Checks every URL an assistant makes us call before it is saved. The runtime checks the same again when a session
 * connects (see agent-runtime/providers/credentials.ts).
 */
export function assistantUrlChecks(config: Pick<Config, 'allowPrivateUrls' | 'allowPrivateProviderUrls'>) {
  const callbackPolicy = callbackUrlPolicy(config.allowPrivateUrls);
  const providerPolicy = providerUrlPolicy(config.allowPrivateProviderUrls);
  return {
    /**
     * Its tools' servers and webhook override must be public, like webhook endpoints (ECHOSPHERE_ALLOW_PRIVATE_URLS);
     * its provider base_urls too (ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS). Resolves names: best outside a transaction.
     */
    async assertPublicUrls(assistant: AssistantConfig): Promise<void> {
      const callbacks: [string, string][] = assistant.tools.flatMap((tool, index) =>
        tool.type === 'function' ? [[`tools.${index}.server.url`, tool.server.url] as [string, string]] : [],
      );
      if (assistant.server_url) callbacks.push(['server_url', assistant.server_url]);
      for (const [param, url] of callbacks) await assertSavedUrl(url, callbackPolicy, param);
      for (const { param, url } of providerUrlsOf(assistant)) await assertSavedUrl(url, providerPolicy, param);
    },

    /** The server-wide provider key is never sent to a base_url the organization chose: it needs its own key. */
    async assertOwnProviderKeys(trx: Transaction, orgId: string, assistant: AssistantConfig): Promise<void> {
      const providerUrls = providerUrlsOf(assistant);
      if (providerUrls.length === 0) return;
      const ownKeys = new Set((await listProviderCredentials(trx, orgId)).map((credential) => credential.provider));
      const missing = providerUrls.find(({ provider }) => !ownKeys.has(provider));
      if (missing) throw invalid('provider_credential_required', ownCredentialRequired(missing.provider, missing.param), missing.param);
    },
  };
}

/** The provider endpoints an assistant chose: its model's, voice's and transcriber's, and its evaluation judge's. */
function providerUrlsOf(assistant: AssistantConfig) {
  return [...assistantProviderUrls(assistant), ...judgeProviderUrls(assistant.analysis?.judge)];
}
