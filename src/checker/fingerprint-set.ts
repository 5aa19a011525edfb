// The visited set: 64-bit fingerprints in an open-addressing table over typed arrays, each with
// the id of the state it stands for. No strings, no objects per entry: 12 bytes a slot.

const EMPTY = -1;

export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private ids: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacityPow2 = 1 << 16) {
    this.hi = new Uint32Array(capacityPow2);
    this.lo = new Uint32Array(capacityPow2);
    this.ids = new Int32Array(capacityPow2).fill(EMPTY);
    this.mask = capacityPow2 - 1;
  }

  /** Inserts the fingerprint with `id`; returns the id already stored for it, or -1 if it is new. */
  insert(hi: number, lo: number, id: number): number {
    if ((this.size + 1) * 4 > this.ids.length * 3) this.grow();
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const existing = this.ids[slot]!;
      if (existing === EMPTY) {
        this.hi[slot] = hi; this.lo[slot] = lo; this.ids[slot] = id;
        this.size++;
        return EMPTY;
      }
      if (this.hi[slot] === hi >>> 0 && this.lo[slot] === lo >>> 0) return existing;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Bytes held by the table. */
  get bytes(): number { return this.ids.length * 12; }

  private grow(): void {
    const { hi, lo, ids } = this;
    const capacity = ids.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.ids = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== EMPTY) this.insert(hi[i]!, lo[i]!, ids[i]!);
  }
}

/** Two independent 32-bit multiply-xorshift lanes: a cheap 64-bit hash built field by field. */
export class Hasher {
  hi = 0x811c9dc5;
  lo = 0x01000193;
  reset(seed = 0): this { this.hi = 0x811c9dc5 ^ seed; this.lo = 0x01000193 ^ Math.imul(seed, 0x85ebca6b); return this; }
  add(n: number): this {
    const low = n | 0;
    const high = (n / 4294967296) | 0;
    this.hi = Math.imul(this.hi ^ low, 0x01000193) ^ Math.imul(high, 0xcc9e2d51);
    this.hi ^= this.hi >>> 15;
    this.lo = Math.imul(this.lo ^ low, 0x5bd1e995) + Math.imul(high ^ 0x1b873593, 0x27d4eb2f);
    this.lo ^= this.lo >>> 13;
    return this;
  }
  /** Final avalanche, so nearby inputs land far apart in the table. */
  digest(): { hi: number; lo: number } {
    let h = this.hi, l = this.lo;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b); h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35); h ^= h >>> 16;
    l = Math.imul(l ^ (l >>> 16), 0x7feb352d); l = Math.imul(l ^ (l >>> 15), 0x846ca68b); l ^= l >>> 16;
    return { hi: (h ^ Math.imul(l, 0x9e3779b1)) >>> 0, lo: l >>> 0 };
  }
}
