import type { Config } from '../core/config.ts';
import { isId } from '../core/ids.ts';
import { openPlatform } from '../core/platform.ts';
import { provisionOrganization } from '../core/provisioning.ts';
import { createApiKey } from '../core/repositories/api-keys.ts';
import { getOrganization } from '../core/repositories/organizations.ts';
import { CliError } from './cli-error.ts';

export async function migrateCommand(config: Config): Promise<void> {
  const platform = await openPlatform(config);
  await platform.db.close();
  process.stdout.write('Database is up to date.\n');
}

export async function createOrganizationCommand(config: Config, name: string): Promise<void> {
  const { db, secretBox } = await openPlatform(config);
  try {
    const { org, secretKey } = await provisionOrganization(db, secretBox, name);
    process.stdout.write(`Organization ${org.id} (${org.name})\nSecret key (shown once): ${secretKey}\n`);
  } finally {
    await db.close();
  }
}

export async function createKeyCommand(
  config: Config,
  input: { orgId: string; name: string; type: 'secret' | 'public'; allowedAssistantIds?: string[]; allowedOrigins?: string[] },
): Promise<void> {
  if (!isId('organization', input.orgId)) throw new CliError(`Not an organization id: ${input.orgId}`);
  if (input.type === 'public' && (!input.allowedAssistantIds?.length || !input.allowedOrigins?.length)) {
    throw new CliError('Public keys need --assistants and --origins (use --origins "*" for any origin).');
  }
  const { db } = await openPlatform(config);
  try {
    const key = await db.tenant(input.orgId, async (trx) => {
      if (!(await getOrganization(trx, input.orgId))) throw new CliError(`No organization ${input.orgId}`);
      return createApiKey(trx, {
        orgId: input.orgId,
        type: input.type,
        name: input.name,
        allowedAssistantIds: input.type === 'public' ? input.allowedAssistantIds : null,
        allowedOrigins: input.type === 'public' ? input.allowedOrigins : null,
      });
    });
    process.stdout.write(`API key ${key.row.id} (shown once): ${key.plaintext}\n`);
  } finally {
    await db.close();
  }
}
