import assert from 'node:assert/strict';
import type { TestApi } from '../support/api.ts';
import { contractFetch, RouteNotImplemented, type ContractClient } from '../support/contract.ts';

/** An organization holding one of every object the API can create, and its ids by prefix (`asst`, `sess`, …). */
export interface Tenant {
  orgId: string;
  secretKey: string;
  client: ContractClient;
  ids: Map<string, string>;
  /** The provider this tenant stored a credential for. */
  provider: CredentialProvider;
  /** Creation routes that answered `route_not_found`, named for skip messages. */
  notImplemented: string[];
}

type CredentialProvider = 'openai' | 'deepgram' | 'elevenlabs';

export async function createTenant(api: TestApi, name: string, provider: CredentialProvider = 'openai'): Promise<Tenant> {
  const { orgId, secretKey } = await api.createOrganization(name);
  const client = contractFetch(api.baseUrl, secretKey);
  const ids = new Map<string, string>([['org', orgId]]);
  const notImplemented: string[] = [];

  const assistant = await client.post('/v1/assistants', { name: `${name} assistant`, system_prompt: 'Be brief.' });
  assert.equal(assistant.status, 201);
  ids.set('asst', assistant.body.id);

  const session = await client.post('/v1/sessions', { assistant_id: assistant.body.id, metadata: { tenant: name } });
  assert.equal(session.status, 201);
  ids.set('sess', session.body.id);

  const apiKey = await client.post('/v1/api-keys', { name: `${name} key` });
  assert.equal(apiKey.status, 201);
  ids.set('key', apiKey.body.id);

  const credential = await client.put(`/v1/provider-credentials/${provider}`, { api_key: `sk-${name.replace(/\W/g, '')}-0001` });
  assert.equal(credential.status, 200);

  try {
    const endpoint = await client.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/echosphere' });
    assert.equal(endpoint.status, 201);
    ids.set('whep', endpoint.body.id);
  } catch (error) {
    if (!(error instanceof RouteNotImplemented)) throw error;
    notImplemented.push(error.operation);
  }

  const suite = await client.post('/v1/test-suites', { name: `${name} suite`, scenarios: [{ name: 'Greets', caller: { turns: ['Hello'] } }] });
  assert.equal(suite.status, 201);
  ids.set('tsuite', suite.body.id);
  const run = await client.post(`/v1/test-suites/${suite.body.id}/runs`, { assistant_id: assistant.body.id });
  assert.equal(run.status, 202);
  ids.set('trun', run.body.id);

  // Creating the session wrote a session.created event to the outbox; the events API may not exist yet.
  const event = await api.db.system((trx) => trx('events').where({ org_id: orgId }).orderBy('id').first('id'));
  if (event) ids.set('evt', event.id as string);

  return { orgId, secretKey, client, ids, provider, notImplemented };
}
