import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { tts as ttsTypes } from '@livekit/agents';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import { VAD as SileroVAD } from '@livekit/agents-plugin-silero';
import { dispose } from '@livekit/rtc-node';
import { startElevenLabsFake, type ElevenLabsFake } from '../../test/fakes/elevenlabs-fake.ts';
import { createLogger } from '../../core/logger.ts';
import { initializeLibraryLogger } from '../session/library-logger.ts';

// A session's TTS opens a stream per reply, and one Silero VAD serves every session of the process. Both plugins keep
// the streams they open in a collection; a patch in patches/ makes them let go of a stream once it is
// closed. Without that, each reply (ElevenLabs) or each session (Silero) stays in memory: these tests watch the
// streams through weak references and fail if anything still holds them after a full collection.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/**
 * The count of streams nothing holds any more, after the closing tasks and sockets have had up to 2 s to settle. The
 * streams are opened in helpers so that no frame here keeps one.
 */
async function collected(refs: Array<WeakRef<object>>): Promise<number> {
  const released = () => refs.filter((ref) => ref.deref() === undefined).length;
  for (let round = 0; round < 100 && released() < refs.length; round++) {
    await delay(20);
    collectGarbage();
  }
  return released();
}

describe('streams a provider plugin opened', () => {
  let fake: ElevenLabsFake;
  before(async () => {
    initializeLibraryLogger(createLogger({ level: 'error', format: 'json' }));
    fake = await startElevenLabsFake({ ttfbMs: 5 });
  });
  after(async () => {
    await fake.close();
    await dispose();
  });

  it('are released by the ElevenLabs TTS once each reply is closed', async () => {
    const tts = new elevenlabs.TTS({ apiKey: 'el-test', baseURL: fake.baseUrl, encoding: 'pcm_16000' });
    const refs: Array<WeakRef<object>> = [];
    for (let reply = 0; reply < 4; reply++) refs.push(await speakOneReply(tts));
    // The connection's receive loop can still reference the latest reply until the next message arrives; what must
    // not happen is earlier replies piling up.
    const earlier = refs.slice(0, -1);
    assert.equal(await collected(earlier), earlier.length);
    await tts.close();
  });

  it('are released by a shared Silero VAD once each session closes its stream', async () => {
    const vad = await SileroVAD.load();
    const refs = Array.from({ length: 3 }, () => {
      const stream = vad.stream();
      stream.close();
      return new WeakRef(stream);
    });
    assert.equal(await collected(refs), refs.length);
    await vad.close();
  });
});

async function speakOneReply(tts: elevenlabs.TTS): Promise<WeakRef<object>> {
  const stream = tts.stream();
  stream.pushText('Hello there, how are you?');
  stream.endInput();
  let audioFrames = 0;
  for await (const event of stream) {
    if (event === ttsTypes.SynthesizeStream.END_OF_STREAM) break;
    audioFrames++;
  }
  assert.ok(audioFrames > 0, 'the reply was spoken');
  stream.close();
  return new WeakRef(stream);
}
