import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TENANT_TABLES } from '../../migrations/001_platform_schema.ts';
import { openOrdinaryUserTestDatabase, openTestDatabase } from '../../test/support/database.ts';
import { newId } from '../ids.ts';
import type { Database } from './database.ts';
import { sql } from './sql.ts';

let db: Database;
const orgA = newId('organization');
const orgB = newId('organization');

before(async () => {
  db = await openTestDatabase();
  await db.system(async (trx) => {
    await trx('organizations').insert([
      { id: orgA, name: 'A', tool_signing_secret: 'x' },
      { id: orgB, name: 'B', tool_signing_secret: 'y' },
    ]);
    await trx('assistants').insert([
      { id: newId('assistant'), org_id: orgA, name: 'a1', config: {} },
      { id: newId('assistant'), org_id: orgB, name: 'b1', config: {} },
    ]);
  });
});
after(() => db.close());

test('an unscoped query inside a tenant transaction sees only that tenant', async () => {
  const orgs = await db.tenant(orgA, (trx) => trx('organizations').select('id'));
  assert.deepEqual(orgs.map((row) => row.id), [orgA]);
  const assistants = await db.tenant(orgB, (trx) => trx('assistants').select('name'));
  assert.deepEqual(assistants.map((row) => row.name), ['b1']);
});

test('a tenant transaction cannot write rows of another organization', async () => {
  await assert.rejects(
    db.tenant(orgA, (trx) => trx('assistants').insert({ id: newId('assistant'), org_id: orgB, name: 'x', config: {} })),
    /row-level security/,
  );
  const updated = await db.tenant(orgA, (trx) => trx('assistants').where({ name: 'b1' }).update({ name: 'stolen' }));
  assert.equal(updated, 0);
});

test('the tenant role stays inside its transaction', async () => {
  await db.tenant(orgA, async () => undefined);
  const all = await db.system((trx) => trx('organizations').select('id'));
  assert.equal(all.length, 2);
});

test('an unknown organization id is refused before reaching the database', async () => {
  await assert.rejects(db.tenant("org_x'; DROP TABLE assistants; --", async () => undefined), /Not an organization id/);
});

test('one-round-trip reads (tenantRead) are scoped the same way, and the role ends with them', async () => {
  const viaBuilder = await db.tenantRead<{ id: string }>(orgA, (q) => q('organizations').select('id'));
  assert.deepEqual(viaBuilder.map((row) => row.id), [orgA]);
  const viaTemplate = await db.tenantRead<{ name: string }>(orgB, () => sql`SELECT name FROM assistants`);
  assert.deepEqual(viaTemplate.map((row) => row.name), ['b1']);
  // Hold every pooled connection at once, so the one the reads used is among them.
  const poolSize: number = db.knex.client.pool.max;
  const held = await Promise.all(Array.from({ length: poolSize }, () => db.knex.raw('SELECT current_user AS role, pg_sleep(0.05)')));
  const roles = held.map((result) => (result.rows ?? result)[0].role);
  assert.equal(roles.length, poolSize);
  assert.ok(!roles.includes('echosphere_app'), `a pooled connection kept the tenant role: ${roles.join(', ')}`);
});

test('sql template values are data, never SQL', async () => {
  const hostile = "b1' OR '1'='1 -- ?";
  const [echoed] = await db.tenantRead<{ value: string }>(orgA, () => sql`SELECT ${hostile}::text AS value`);
  assert.equal(echoed!.value, hostile);
  assert.deepEqual(await db.tenantRead(orgB, () => sql`SELECT name FROM assistants WHERE name = ${hostile}`), []);
});

/** One row in every table under row-level security, all of one organization. */
async function seedEveryTenantTable(db: Database, orgId: string): Promise<void> {
  const sessionId = newId('session');
  const eventId = newId('event');
  const endpointId = newId('webhookEndpoint');
  await db.system(async (trx) => {
    await trx('organizations').insert({ id: orgId, name: 'Seeded', tool_signing_secret: 'x' });
    const rows: Record<(typeof TENANT_TABLES)[number], Record<string, unknown>> = {
      api_keys: { id: newId('apiKey'), type: 'secret', name: 'k', display_prefix: 'sk_', hash: Buffer.from(orgId) },
      provider_credentials: { provider: 'openai', sealed_api_key: 'sealed', api_key_last4: 'abcd' },
      assistants: { id: newId('assistant'), name: 'a', config: {} },
      sessions: { id: sessionId, assistant_id: 'asst_x', assistant: {}, transport: 'websocket', status: 'ended', audio: {} },
      messages: { id: newId('message'), session_id: sessionId, role: 'user', text: 'hello' },
      recordings: { id: newId('recording'), session_id: sessionId, status: 'ready' },
      events: { id: eventId, type: 'session.ended', data: {} },
      webhook_endpoints: { id: endpointId, url: 'https://example.com/hook', event_types: [], sealed_secret: 'sealed' },
      webhook_deliveries: { id: newId('webhookDelivery'), event_id: eventId, endpoint_id: endpointId, url: 'https://example.com/hook', status: 'pending' },
      usage_records: { id: newId('usageRecord'), session_id: sessionId, metric: 'session_seconds', quantity: 1 },
    };
    for (const table of TENANT_TABLES) await trx(table).insert({ org_id: orgId, ...rows[table] });
  });
}

test('an ordinary database user sees no row of any tenant table until a transaction chooses a role', async () => {
  const ordinary = await openOrdinaryUserTestDatabase();
  try {
    const orgId = newId('organization');
    await seedEveryTenantTable(ordinary, orgId);
    for (const table of ['organizations', ...TENANT_TABLES]) {
      const unscoped = await ordinary.knex(table).count({ rows: '*' });
      assert.equal(unscoped[0]!.rows, 0, `${table}: a query that chose no role saw rows`);
      const scoped = await ordinary.tenant(orgId, (trx) => trx(table).count({ rows: '*' }));
      assert.equal(scoped[0]!.rows, 1, `${table}: the tenant transaction sees its organization's row`);
    }
  } finally {
    await ordinary.close();
  }
});
