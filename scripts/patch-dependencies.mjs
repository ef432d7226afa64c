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
];

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
