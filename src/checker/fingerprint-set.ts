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

/**
 * A 64-bit hash built field by field from two independent 32-bit lanes: a MurmurHash3 round and
 * an xxHash32 round over the same input words. Each lane is a full 32-bit hash on its own, so
 * together they behave as 64 bits (one shared weak mixer would collapse to fewer).
 */
export class Hasher {
  hi = 0;
  lo = 0;
  reset(seed = 0): this { this.hi = seed ^ 0x9747b28c; this.lo = (seed + 0x165667b1) | 0; return this; }
  add(n: number): this {
    this.word(n | 0);
    const high = (n / 4294967296) | 0;
    if (high !== 0) this.word(high);
    return this;
  }
  private word(x: number): void {
    let k = Math.imul(x, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let a = this.hi ^ k;
    a = (a << 13) | (a >>> 19);
    this.hi = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let b = (this.lo + Math.imul(x, 0x85ebca77)) | 0;
    b = (b << 13) | (b >>> 19);
    this.lo = Math.imul(b, 0x9e3779b1);
  }
  /**
   * Final avalanche of each lane. Lanes are signed 32-bit integers: V8 stores those inline as
   * small integers, where unsigned ones above 2^31 would each be a boxed number, and every
   * cached node and message hash and every fingerprint holds two.
   */
  digest(): { hi: number; lo: number } {
    return { hi: avalancheHi(this.hi), lo: avalancheLo(this.lo) };
  }
}

/** The hi lane's final avalanche, for callers that fold many digests without allocating each. */
export function avalancheHi(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b); h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The lo lane's final avalanche. */
export function avalancheLo(l: number): number {
  l = Math.imul(l ^ (l >>> 15), 0x85ebca77); l = Math.imul(l ^ (l >>> 13), 0xc2b2ae3d);
  return l ^ (l >>> 16);
}
