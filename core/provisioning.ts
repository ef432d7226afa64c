import type { SecretBox } from './crypto/secret-box.ts';
import type { Database } from './db/database.ts';
import { createApiKey } from './repositories/api-keys.ts';
import { createOrganization } from './repositories/organizations.ts';

/** An organization with its first secret key, as operators create them (CLI, first start). */
export async function provisionOrganization(db: Database, secretBox: SecretBox, name: string) {
  const org = await db.system((trx) => createOrganization(trx, secretBox, name));
  const key = await db.tenant(org.id, (trx) => createApiKey(trx, { orgId: org.id, type: 'secret', name: 'Default secret key' }));
  return { org, secretKey: key.plaintext, keyId: key.row.id };
}
