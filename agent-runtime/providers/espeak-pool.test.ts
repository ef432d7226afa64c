import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { EspeakPool } from './espeak-pool.ts';

describe('eSpeak worker pool', () => {
  const pool = new EspeakPool(1);
  after(async () => {
    await pool.close();
  });

  it('speaks far more sentences on one worker than one engine heap holds', async () => {
    // The engine's heap fills up after about 80 calls; the 81st used to end the process with a fatal V8 error.
    const lengths: number[] = [];
    for (let call = 0; call < 120; call++) lengths.push((await pool.synthesize('Yes, a table for four.', 'en/en-us', 175, 50)).byteLength);
    // The same sentence takes the same time every call; an engine past its heap returned cut-off audio.
    assert.deepEqual(new Set(lengths), new Set([lengths[0]]));
    assert.ok(lengths[0]! > 20_000, 'real audio');
  });

  it('fails only the sentence a dying thread was speaking, and speaks the next on a new thread', async () => {
    const speaking = pool.synthesize('A long sentence that keeps the engine busy for a while. '.repeat(15), 'en/en-us', 175, 50);
    const [thread] = pool.piscina.threads;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await thread!.terminate();
    await assert.rejects(speaking);
    const next = await pool.synthesize('Yes, a table for four.', 'en/en-us', 175, 50);
    assert.ok(next.byteLength > 20_000);
  });
});
