/**
 * Bounds the deliveries one worker holds. A delivery is held from claim until its outcome is known: at most `total`
 * at once, and per target (endpoint or server_url) at most `perTarget` running plus `perTarget` queued behind them.
 * A slow receiver therefore ties up at most 2 × perTarget holds, and never every hold of a small worker (one is always
 * left to the other targets), while a busy fast receiver always has its next deliveries at hand.
 */
export class AttemptSlots {
  private readonly targets = new Map<string, { held: number; running: number; queued: Array<() => void> }>();
  private heldTotal = 0;
  /** The most holds one target may have. */
  private readonly perTargetHolds: number;

  constructor(
    private readonly total: number,
    private readonly perTarget: number,
  ) {
    this.perTargetHolds = Math.min(2 * perTarget, Math.max(1, total - 1));
  }

  /** How many more deliveries this worker may claim. */
  free(): number {
    return this.total - this.heldTotal;
  }

  /** Targets that can take no more deliveries now (claims skip them). */
  busyTargets(): string[] {
    return [...this.targets].filter(([, target]) => target.held >= this.perTargetHolds).map(([key]) => key);
  }

  /** Reserves a hold for one delivery to `key`, or says no. */
  hold(key: string): boolean {
    const target = this.targets.get(key) ?? { held: 0, running: 0, queued: [] };
    if (this.heldTotal >= this.total || target.held >= this.perTargetHolds) return false;
    target.held++;
    this.heldTotal++;
    this.targets.set(key, target);
    return true;
  }

  /** Ends a hold that never started (its claim failed or was given back). */
  unhold(key: string): void {
    const target = this.targets.get(key)!;
    target.held--;
    this.heldTotal--;
    if (target.held === 0) this.targets.delete(key);
  }

  /** Runs `run` for a held delivery now if the target has a free running slot, otherwise when one frees up. */
  start(key: string, run: () => void): void {
    const target = this.targets.get(key)!;
    if (target.running < this.perTarget) {
      target.running++;
      run();
    } else {
      target.queued.push(run);
    }
  }

  /** A started delivery is done (attempted, or given up while queued): its hold ends and the next queued one runs. */
  finish(key: string): void {
    const target = this.targets.get(key)!;
    target.held--;
    this.heldTotal--;
    const next = target.queued.shift();
    if (target.held === 0) this.targets.delete(key);
    if (next) next();
    else target.running--;
  }
}
