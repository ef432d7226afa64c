import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Long synchronous work on the shared event loop (compiling or matching a tenant's patterns) calls `pause()` between
 * steps: once a few milliseconds have gone by, other requests and sessions get a turn before it goes on.
 */
export class TimeSlice {
  private started = performance.now();

  constructor(private readonly sliceMs = 5) {}

  async pause(): Promise<void> {
    if (performance.now() - this.started < this.sliceMs) return;
    await nextTurn();
    this.started = performance.now();
  }
}
