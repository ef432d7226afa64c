import { Router } from 'express';
import { z } from 'zod';
import { hasProviderKey, resolveProviderAccess } from '../../agent-runtime/providers/credentials.ts';
import { ProviderError } from '../../agent-runtime/providers/provider-error.ts';
import { providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { PlatformError } from '../../core/errors.ts';
import { getProviderCredential, openProviderCredential } from '../../core/repositories/provider-credentials.ts';
import type { ApiDeps } from '../deps.ts';
import { authOf } from '../http/request-context.ts';
import { parse } from '../http/validation.ts';
import { LOCAL_VOICES, OPENAI_VOICES } from '../voices/builtin-voices.ts';
import { listElevenLabsVoices } from '../voices/elevenlabs-voices.ts';
import type { Voice } from '../voices/voice.ts';

const voicesQuery = z.strictObject({
  provider: z.enum(['local', 'openai', 'elevenlabs']),
  search: z.string().trim().min(1).max(200).optional(),
});

/**
 * `GET /v1/voices?provider=` — the voices an assistant's `voice.voice_id` can name: eSpeak's and OpenAI's from fixed
 * lists, ElevenLabs' from the account through its SDK, with the organization's own key (and base URL, checked against
 * the provider URL policy) or else the server-wide one, exactly as a session would use them.
 */
export function voiceRoutes({ db, config, secretBox }: ApiDeps, env: NodeJS.ProcessEnv = process.env): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const query = parse(voicesQuery, req.query, 'query');
    const matches = (voice: Voice) => !query.search || voice.name.toLowerCase().includes(query.search.toLowerCase());
    if (query.provider !== 'elevenlabs') {
      const voices = (query.provider === 'local' ? LOCAL_VOICES : OPENAI_VOICES).filter(matches);
      res.json({ object: 'list', data: voices, has_more: false });
      return;
    }
    const stored = await db.tenant(orgId, (trx) => getProviderCredential(trx, orgId, 'elevenlabs'));
    const credentials = new Map(stored ? [['elevenlabs', openProviderCredential(stored, secretBox)]] : []);
    if (!hasProviderKey('elevenlabs', credentials, env)) {
      throw new PlatformError('conflict', 'provider_not_configured', 'No ElevenLabs API key: add one under Providers (PUT /v1/provider-credentials/elevenlabs) to list its voices.');
    }
    try {
      const access = await resolveProviderAccess('elevenlabs', undefined, { credentials, env, urlPolicy: providerUrlPolicy(config.allowPrivateProviderUrls) });
      const { voices, hasMore } = await listElevenLabsVoices(access, query.search);
      res.json({ object: 'list', data: voices, has_more: hasMore });
    } catch (error) {
      if (error instanceof ProviderError) throw new PlatformError('provider', 'provider_error', error.message);
      throw error;
    }
  });
  return router;
}
