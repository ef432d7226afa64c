// node --import tsx bench/support/cpu-profile-summary.ts <file.cpuprofile> [top]
// Summarises a V8 CPU profile (`node --cpu-prof`): the share of the samples the process was idle (waiting on its
// sockets), and the functions with the most self time, grouped by function and file.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpu-profile-summary <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((nodeId, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  totalUs += delta;
  const frame = nodes.get(nodeId)!.callFrame;
  const where = frame.url ? ` ${shortPath(frame.url)}` : '';
  const key = `${frame.functionName || '(anonymous)'}${where}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
});

function shortPath(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  return modules >= 0 ? file.slice(modules + 'node_modules/'.length) : path.relative(process.cwd(), file);
}

const share = (us: number) => `${((us / totalUs) * 100).toFixed(1)} %`;
const busyUs = totalUs - (selfUs.get('(idle)') ?? 0);
console.log(`${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s sampled, idle ${share(selfUs.get('(idle)') ?? 0)}, busy ${share(busyUs)}`);
console.table(
  [...selfUs.entries()]
    .filter(([key]) => key !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(topArg ?? 15))
    .map(([fn, us]) => ({ function: fn, self_ms: Math.round(us / 1000), of_all: share(us), of_busy: `${((us / busyUs) * 100).toFixed(1)} %` })),
);
