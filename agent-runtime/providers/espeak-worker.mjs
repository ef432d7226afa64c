// The eSpeak engine as a piscina task. Worker threads do not inherit the TypeScript loader the main thread registered
// (bin/echosphere.mjs), so this plain-JS entry registers it before loading the engine.
import { move } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const { synthesizeWav } = await import('./espeak-engine.ts');

/** @param {import('./espeak-engine.ts').EspeakRequest} request */
export default function synthesize(request) {
  return move(synthesizeWav(request));
}
