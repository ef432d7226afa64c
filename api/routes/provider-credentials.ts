import { Router, type Request } from 'express';
import { z } from 'zod';
import { providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { PlatformError } from '../../core/errors.ts';
import {
  CREDENTIAL_PROVIDERS,
  deleteProviderCredential,
  getProviderCredential,
  listProviderCredentials,
  upsertProviderCredential,
  type CredentialProvider,
} from '../../core/repositories/provider-credentials.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicProviderCredential } from '../presenters/provider-credential.ts';
import { listResponse } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { assertSavedUrl } from '../http/url-validation.ts';
import { pathParam } from '../http/route-helpers.ts';
import { parseBody } from '../http/validation.ts';

export const putProviderCredentialBody = z.strictObject({
  api_key: z.string().trim().min(8).max(4096),
  base_url: z.url({ protocol: /^(https?|wss?)$/ }).max(2048).nullable().default(null),
});

function providerOf(req: Request): CredentialProvider {
  const provider = pathParam(req, 'provider');
  if (!(CREDENTIAL_PROVIDERS as readonly string[]).includes(provider)) {
    throw new PlatformError('not_found', 'unknown_provider', `No provider "${provider}". Known: ${CREDENTIAL_PROVIDERS.join(', ')}.`, 'provider');
  }
  return provider as CredentialProvider;
}

const noCredential = (provider: string) =>
  new PlatformError('not_found', 'resource_not_found', `No credential stored for "${provider}".`, 'provider');

export function providerCredentialRoutes({ db, secretBox, config }: ApiDeps): Router {
  const router = Router();
  const urlPolicy = providerUrlPolicy(config.allowPrivateProviderUrls);

  router.put('/:provider', async (req, res) => {
    const { orgId } = authOf(req);
    const provider = providerOf(req);
    const body = parseBody(putProviderCredentialBody, req);
    // Checked again when a session connects: DNS may answer differently by then.
    if (body.base_url) await assertSavedUrl(body.base_url, urlPolicy, 'base_url');
    const row = await db.tenant(orgId, (trx) =>
      upsertProviderCredential(trx, secretBox, { orgId, provider, apiKey: body.api_key, baseUrl: body.base_url }),
    );
    res.json(toPublicProviderCredential(row));
  });

  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const rows = await db.tenant(orgId, (trx) => listProviderCredentials(trx, orgId));
    res.json(listResponse(rows.map(toPublicProviderCredential), false));
  });

  router.get('/:provider', async (req, res) => {
    const { orgId } = authOf(req);
    const provider = providerOf(req);
    const row = await db.tenant(orgId, (trx) => getProviderCredential(trx, orgId, provider));
    if (!row) throw noCredential(provider);
    res.json(toPublicProviderCredential(row));
  });

  router.delete('/:provider', async (req, res) => {
    const { orgId } = authOf(req);
    const provider = providerOf(req);
    const deleted = await db.tenant(orgId, (trx) => deleteProviderCredential(trx, orgId, provider));
    if (!deleted) throw noCredential(provider);
    res.json({ object: 'provider_credential', provider, deleted: true });
  });

  return router;
}
