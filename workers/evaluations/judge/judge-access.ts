import { resolveProviderAccess } from '../../../agent-runtime/providers/credentials.ts';
import { ProviderError } from '../../../agent-runtime/providers/provider-error.ts';
import type { SecretBox } from '../../../core/crypto/secret-box.ts';
import type { Database } from '../../../core/db/database.ts';
import { judgeProviderUrls, type JudgeConfig } from '../../../core/evaluations/analysis-config.ts';
import type { UrlPolicy } from '../../../core/net/public-url.ts';
import { loadRuntimeSecrets } from '../../../core/repositories/provider-credentials.ts';
import { Judge, JudgeError } from './judge-client.ts';

export interface JudgeAccessDeps {
  db: Database;
  secretBox: SecretBox;
  /** Server-wide provider keys (OPENAI_API_KEY) used when the organization has none. */
  env: NodeJS.ProcessEnv;
  /** The provider URL policy (ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS), as for an assistant's model. */
  providerUrlPolicy: UrlPolicy;
}

/** A judge to ask, or why there is none (no key anywhere: the judge's parts are skipped, not failed). */
export type JudgeAccess = { judge: Judge } | { skipped: string };

/**
 * The judge gets its key and endpoint exactly as an assistant's model does (agent-runtime/providers/credentials.ts):
 * a base_url the organization chose passes the provider URL policy and only ever gets the organization's own key;
 * the server-wide key goes to OpenAI's own endpoint only. A refusal there is a failure the customer must fix.
 */
export async function openJudge(deps: JudgeAccessDeps, orgId: string, config: JudgeConfig): Promise<JudgeAccess> {
  const { credentials } = await loadRuntimeSecrets(deps.db, deps.secretBox, orgId);
  if (!credentials.has('openai') && !deps.env.OPENAI_API_KEY) {
    return { skipped: 'No judge model: there is no openai API key (add a provider credential for the organization, or set OPENAI_API_KEY on the server).' };
  }
  try {
    const access = await resolveProviderAccess('openai', judgeProviderUrls(config)[0], {
      credentials,
      env: deps.env,
      urlPolicy: deps.providerUrlPolicy,
    });
    return { judge: new Judge({ apiKey: access.apiKey, ...(access.baseUrl ? { baseUrl: access.baseUrl } : {}), model: config.model, temperature: config.temperature }) };
  } catch (error) {
    if (error instanceof ProviderError) throw new JudgeError(error.message);
    throw error;
  }
}
