/**
 * A fixed one-minute window per key (an IP address, or "all"): at most `limit` takes per window.
 * Memory is bounded by the keys seen in the current window (the map starts afresh each window).
 */
export class WindowLimit {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when allowed (and counted); otherwise the ms until the next window. */
  take(key: string): number {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const used = this.counts.get(key) ?? 0;
    if (used >= this.limit) return (window + 1) * this.windowMs - now;
    this.counts.set(key, used + 1);
    return 0;
  }
}
