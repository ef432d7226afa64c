/**
 * One timer for every paced output in the process instead of one per session: each tick asks the active outputs to
 * top up their clients. Runs only while something is playing and never keeps the process alive.
 */
export interface Paced {
  pump(nowMs: number): void;
}

const TICK_MS = 10;
const active = new Set<Paced>();
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  const now = Date.now();
  for (const output of active) {
    try {
      output.pump(now);
    } catch {
      // An output that throws is that session's problem; the others keep playing.
      active.delete(output);
    }
  }
  if (active.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

export function startPacing(output: Paced): void {
  active.add(output);
  if (!timer) {
    timer = setInterval(tick, TICK_MS);
    timer.unref();
  }
}

export function stopPacing(output: Paced): void {
  active.delete(output);
}
