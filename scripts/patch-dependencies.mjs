#!/usr/bin/env node
// Applies small, exact source patches to installed dependencies (run by `npm install` through `prepare`).
// Each patch names the text it replaces: if a dependency upgrade changes that text, this fails loudly instead of
// silently running unpatched code. Already-patched files are left alone, so it is safe to run again.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeModules = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules');

const patches = [
  {
    // AudioByteStream.write joins its carry-over and each new chunk by spreading both typed arrays into a JS array.
    // Every STT input frame and every TTS chunk (Deepgram, OpenAI, ElevenLabs plugins) goes through it, and the spread
    // was the largest single cost of a voice session in our profiles. Same bytes, one allocation and two copies.
    package: '@livekit/agents',
    files: ['dist/audio.js', 'dist/audio.cjs'],
    find: 'this.#buf = new Int8Array([...this.#buf, ...bytes]);',
    replace:
      'const joined = new Int8Array(this.#buf.length + bytes.length); joined.set(this.#buf); joined.set(bytes, this.#buf.length); this.#buf = joined; /* patched by echosphere */',
  },
  // The ElevenLabs stream's audio task polls its queue every 10 ms. That adds up to 10 ms (5 on average) to the first
  // audio of every reply, and under load each poll waits behind everything else on the event loop. These three make it
  // sleep until a chunk arrives or the stream is done (a 100 ms fallback still notices an abort).
  ...elevenLabsPatch('    this.#audioQueue.push(data);\n', '    this.#audioQueue.push(data);\n    this.wakeAudioTask?.(); /* patched by echosphere */\n'),
  ...elevenLabsPatch(
    '  markDone() {\n    this.#streamDone = true;\n  }',
    '  markDone() {\n    this.#streamDone = true;\n    this.wakeAudioTask?.(); /* patched by echosphere */\n  }',
  ),
  ...elevenLabsPatch(
    '        await new Promise((resolve) => setTimeout(resolve, 10));',
    '        await new Promise((resolve) => { const wake = () => { clearTimeout(timer); this.wakeAudioTask = void 0; resolve(); }; const timer = setTimeout(wake, 100); this.wakeAudioTask = wake; }); /* patched by echosphere */',
  ),
  // The ElevenLabs TTS keeps every stream it ever opened in a set it only empties when the TTS itself closes, and a
  // session's TTS lives as long as the session: each reply's stream, with its queues, tasks and the reply's context,
  // stayed in memory (about 100 kB a reply) until the call ended. Closing a stream (the library does, after every
  // reply) now lets it go.
  ...elevenLabsPatch(
    '    this.#streams.add(stream2);\n    return stream2;',
    '    this.#streams.add(stream2);\n    stream2.abortSignal.addEventListener("abort", () => this.#streams.delete(stream2), { once: true }); /* patched by echosphere */\n    return stream2;',
  ),
  {
    // The same for Silero: one VAD serves every session of the process (its model is loaded once), and it kept every
    // session's stream, with its model state and speech buffer, for as long as the process ran.
    package: '@livekit/agents-plugin-silero',
    files: ['dist/vad.js', 'dist/vad.cjs'],
    find: '    this.#streams.push(stream);\n    return stream;',
    replace:
      '    this.#streams.push(stream);\n    const close = stream.close.bind(stream);\n    stream.close = () => { this.#streams = this.#streams.filter((open) => open !== stream); close(); }; /* patched by echosphere */\n    return stream;',
  },
  {
    // Deepgram's stream watches its WebSocket for an unexpected close in a task, but waits on the task object instead
    // of its result: the close was logged and then lost. The stream went on "sending" audio into the closed socket, and
    // the session lost its ears for good, with no error and no reconnect. Waiting on the result lets the plugin
    // reconnect, and fail the session with provider-error:deepgram when Deepgram stays down.
    package: '@livekit/agents-plugin-deepgram',
    files: ['dist/stt.js', 'dist/stt.cjs'],
    find: 'Promise.all([sendTask(), listenTask.result, wsMonitor])',
    replace: 'Promise.all([sendTask(), listenTask.result, wsMonitor.result /* patched by echosphere */])',
  },
];

function elevenLabsPatch(find, replace) {
  return [{ package: '@livekit/agents-plugin-elevenlabs', files: ['dist/tts.js', 'dist/tts.cjs'], find, replace }];
}

let failed = false;
for (const patch of patches) {
  const root = path.join(nodeModules, patch.package);
  for (const file of patch.files) {
    const target = path.join(root, file);
    const source = readFileSync(target, 'utf8');
    if (source.includes(patch.replace)) continue;
    if (!source.includes(patch.find)) {
      console.error(`patch-dependencies: ${patch.package}/${file} no longer contains the text to patch; review the patch.`);
      failed = true;
      continue;
    }
    writeFileSync(target, source.replace(patch.find, patch.replace));
  }
}
if (failed) process.exit(1);
