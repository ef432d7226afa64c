import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../../test/support/database.ts';
import { newId } from '../ids.ts';
import type { Database } from './database.ts';

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
