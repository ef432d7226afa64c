import { defaultOrganizationId } from '../core/repositories/organizations.ts';
import type { Platform } from '../core/platform.ts';
import { provisionOrganization } from '../core/provisioning.ts';
import { createApiKey, markApiKeyShown, revokeApiKey, unshownSecretKeys } from '../core/repositories/api-keys.ts';

/** A secret key of the embedded default's organization that the welcome text is to print. */
export interface DefaultOrganizationKey {
  orgId: string;
  keyId: string;
  secretKey: string;
  /** The organization is new; otherwise this key replaces unshown ones left by a start that stopped before printing. */
  created: boolean;
}

/**
 * The key the embedded default's welcome text prints, if there is one to print: on the first start, the new default
 * organization's; on a later start, a new key in place of keys whose plaintext never reached anyone (a start that
 * stopped between creating them and printing them), which are revoked. The key is stored unshown until
 * `markDefaultKeyShown`, so a start that stops before that is made good by the next one.
 */
export async function defaultOrganizationKeyToPrint(platform: Platform): Promise<DefaultOrganizationKey | undefined> {
  const { db, secretBox } = platform;
  const orgId = await defaultOrganizationId(db);
  if (!orgId) {
    const { org, secretKey, keyId } = await provisionOrganization(db, secretBox, 'Default organization', { keyShown: false });
    return { orgId: org.id, keyId, secretKey, created: true };
  }
  return db.tenant(orgId, async (trx) => {
    const unshown = await unshownSecretKeys(trx, orgId);
    if (unshown.length === 0) return undefined;
    for (const key of unshown) await revokeApiKey(trx, orgId, key.id);
    const key = await createApiKey(trx, { orgId, type: 'secret', name: 'Default secret key', shown: false });
    return { orgId, keyId: key.row.id, secretKey: key.plaintext, created: false };
  });
}

export async function markDefaultKeyShown(platform: Platform, key: DefaultOrganizationKey): Promise<void> {
  await platform.db.tenant(key.orgId, (trx) => markApiKeyShown(trx, key.orgId, key.keyId));
}
