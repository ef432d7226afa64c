import type { SecretBox } from './crypto/secret-box.ts';
import type { Database } from './db/database.ts';
import { createApiKey } from './repositories/api-keys.ts';
import { createOrganization } from './repositories/organizations.ts';

/**
 * An organization with its first secret key, as operators create them (CLI, first start), in one transaction: an
 * organization is never left without a key. `keyShown: false` when the key is printed only later (see
 * `markApiKeyShown`).
 */
export async function provisionOrganization(db: Database, secretBox: SecretBox, name: string, options: { keyShown?: boolean } = {}) {
  return db.system(async (trx) => {
    const org = await createOrganization(trx, secretBox, name);
    const key = await createApiKey(trx, { orgId: org.id, type: 'secret', name: 'Default secret key', shown: options.keyShown });
    return { org, secretKey: key.plaintext, keyId: key.row.id };
  });
}
