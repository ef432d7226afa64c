#!/usr/bin/env -S node --v8-pool-size=2
// EchoSphere's command line. TypeScript sources run through tsx's loader, so there is no build step.
// --v8-pool-size (also in `npm start`): Node starts four V8 background threads whatever the host; on a 2-core host
// the concurrent GC markers then outnumber the cores and take the event loop's CPU during a major GC (BENCHMARKS.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv.slice(2));
