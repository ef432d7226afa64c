import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setOrganizationPricesCommand } from '../../cli/price-override-command.ts';
import { parseConfig } from '../../core/config.ts';
import { openPlatform } from '../../core/platform.ts';
import { endChargedSession, insertOrganization } from './support.ts';

test('echosphere orgs prices gives an organization its own prices for the sessions that end after it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'echosphere-org-prices-'));
  const config = parseConfig({ ECHOSPHERE_DATA_DIR: dir, LOG_LEVEL: 'error' });
  const ttsPrice = async (orgId: string) => {
    const platform = await openPlatform(config);
    try {
      const { sessionId } = await endChargedSession(platform.db, orgId);
      const session = await platform.db.system((trx) => trx('sessions').where({ id: sessionId }).first());
      return session.cost.breakdown.find((line: { item: string }) => line.item === 'tts').unit_price_usd as string;
    } finally {
      await platform.db.close();
    }
  };
  try {
    const platform = await openPlatform(config);
    const orgId = await insertOrganization(platform.db);
    await platform.db.close();
    assert.equal(await ttsPrice(orgId), '0.050000', 'the default price for eleven_turbo_v2_5');

    const file = path.join(dir, 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ tts: { elevenlabs: { eleven_turbo_v2_5: { per_1k_characters_usd: '0.031' } } } }));
    await setOrganizationPricesCommand(config, { org: orgId, file });
    assert.equal(await ttsPrice(orgId), '0.031000');

    await setOrganizationPricesCommand(config, { org: orgId, clear: true });
    assert.equal(await ttsPrice(orgId), '0.050000');

    fs.writeFileSync(file, JSON.stringify({ tts: { elevenlabs: { '*': { per_1k_characters_usd: 0.1 } } } }));
    await assert.rejects(setOrganizationPricesCommand(config, { org: orgId, file }), /tts\.elevenlabs\.\*\.per_1k_characters_usd/);
    await assert.rejects(setOrganizationPricesCommand(config, { org: orgId }), /either --file/);
    await assert.rejects(setOrganizationPricesCommand(config, { org: 'org_nope', clear: true }), /not an organization id/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
