// A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. The budget the UDP
// transport gives datagrams from strangers before it stops reading them for a while.

export class TokenBucket {
  private tokens: number;
  private at = -Infinity;

  constructor(private readonly ratePerSecond: number, private readonly burst: number) {
    this.tokens = burst;
  }

  /** Takes one token at time `nowMs`; false when the budget is spent. */
  take(nowMs: number): boolean {
    if (this.at !== -Infinity) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.at) * this.ratePerSecond) / 1000);
    this.at = nowMs;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
