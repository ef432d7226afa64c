import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { usageExportCommand } from '../../cli/usage-export.ts';
import { parseConfig } from '../../core/config.ts';
import { openPlatform } from '../../core/platform.ts';
import { endChargedSession, insertOrganization } from './support.ts';

function collector() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

test('echosphere usage export writes one CSV row per priced line, adding up to each session’s cost', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'echosphere-usage-export-'));
  const config = parseConfig({ ECHOSPHERE_DATA_DIR: dir, LOG_LEVEL: 'error' });
  try {
    const platform = await openPlatform(config);
    const orgId = await insertOrganization(platform.db, 'Exported');
    const otherOrgId = await insertOrganization(platform.db, 'Other');
    const sessions = [await endChargedSession(platform.db, orgId, 30), await endChargedSession(platform.db, orgId, 61)];
    await endChargedSession(platform.db, otherOrgId, 10);
    await platform.db.close();

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const out = collector();
    await usageExportCommand(config, { from: today, to: tomorrow, org: orgId }, out.stream);
    const [header, ...rows] = out.text().trimEnd().split('\r\n').map((line) => line.split(','));
    assert.deepEqual(header, ['ended_at', 'org_id', 'session_id', 'assistant_id', 'provider', 'model', 'item', 'quantity', 'unit', 'unit_price_usd', 'price_unit', 'price_unit_size', 'cost_usd']);
    assert.equal(rows.length, sessions.length * 5, 'five priced lines per session (platform, STT, LLM in and out, TTS)');
    for (const session of sessions) {
      const lines = rows.filter((row) => row[2] === session.sessionId);
      assert.equal(lines.length, 5);
      assert.ok(lines.every((row) => row[1] === orgId));
      const sum = lines.reduce((total, row) => total + BigInt(row[12]!.replace('.', '')), 0n);
      assert.equal(sum, session.totalMicros, 'the lines add up to the session total');
    }
    const everyone = collector();
    await usageExportCommand(config, { from: today, to: tomorrow }, everyone.stream);
    assert.equal(everyone.text().trimEnd().split('\r\n').length, 1 + 3 * 5, 'without --org, every organization');

    await assert.rejects(usageExportCommand(config, { from: tomorrow, to: today }), /--from must be before --to/);
    await assert.rejects(usageExportCommand(config, { to: today }), /needs --from/);
    await assert.rejects(usageExportCommand(config, { from: 'soon', to: today }), /not a date/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
