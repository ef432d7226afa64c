import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { synthesizeSpeech } from './local-tts.ts';

describe('local eSpeak synthesis', () => {
  after(async () => {
    await dispose();
  });

  it('renders speech at the requested rate off the main thread', async () => {
    let mainThreadRanMeanwhile = false;
    const speech = synthesizeSpeech('The quick brown fox jumps over the lazy dog, twice in a row.', { sampleRateHz: 16000 });
    setImmediate(() => {
      mainThreadRanMeanwhile = true;
    });
    const samples = await speech;
    assert.equal(mainThreadRanMeanwhile, true, 'the event loop kept running while eSpeak worked');
    assert.ok(samples.length > 16000 * 1.5, 'a few seconds of audio');
    const peak = samples.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    assert.ok(peak > 1000, 'with real sound in it');
  });

  it('keeps concurrent requests apart', async () => {
    const [short, long] = await Promise.all([
      synthesizeSpeech('Yes.', { sampleRateHz: 24000 }),
      synthesizeSpeech('This sentence is a good deal longer than the other one.', { sampleRateHz: 24000 }),
    ]);
    assert.ok(long.length > short.length * 3);
  });

  it('speaks text longer than one eSpeak call takes, piece by piece', async () => {
    const sentence = 'The quick brown fox jumps over the lazy dog. ';
    const [once, many] = await Promise.all([synthesizeSpeech(sentence, { sampleRateHz: 16000 }), synthesizeSpeech(sentence.repeat(30), { sampleRateHz: 16000 })]);
    assert.ok(sentence.repeat(30).length > 1000);
    assert.ok(many.length > once.length * 25, 'all of it is spoken');
  });

  it('speaks with the chosen voice, and en-us for an id that is not a voice', async () => {
    const text = 'Guten Tag, wie geht es Ihnen heute?';
    const speak = (voice: string) => synthesizeSpeech(text, { sampleRateHz: 16000, voice });
    const [american, german, unknown] = await Promise.all([speak('en-us'), speak('de'), speak('en-xx')]);
    // eSpeak's samples vary slightly from run to run; the timing of the same voice and text does not.
    assert.notEqual(german.length, american.length, 'the German voice speaks at its own pace');
    assert.equal(unknown.length, american.length);
  });
});
