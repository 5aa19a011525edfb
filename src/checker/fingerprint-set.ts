// The visited set: 64-bit fingerprints in an open-addressing table over one typed array, two
// words a slot and nothing else (8 bytes a slot; at most 3/4 full, so 11 to 21 bytes a state).

/**
 * The visited set: 64-bit fingerprints in an open-addressing table over one Int32Array, 8 bytes a
 * slot, at most 3/4 full. One fingerprint in 2^64 collides with (0, 0) and merges with (0, 1).
 */
export class FingerprintSet {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacityPow2 = 1 << 16) {
    this.slots = new Int32Array(capacityPow2 * 2);
    this.mask = capacityPow2 - 1;
  }

  /**
   * Adds the fingerprint; false if it was there. (0, 0) marks an empty slot, so it is stored as
   * (0, 1): one fingerprint in 2^64 merges with another.
   */
  insert(hi: number, lo: number): boolean {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    hi |= 0; lo |= 0;
    if (hi === 0 && lo === 0) lo = 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = this.slots[2 * slot]!, l = this.slots[2 * slot + 1]!;
      if (h === 0 && l === 0) {
        this.slots[2 * slot] = hi; this.slots[2 * slot + 1] = lo;
        this.size++;
        return true;
      }
      if (h === hi && l === lo) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Bytes held by the table. */
  get bytes(): number { return this.slots.byteLength; }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!);
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
  /** Starts a new hash from `seed`; returns this, so a hash is built in one expression. */
  reset(seed = 0): this { this.hi = seed ^ 0x9747b28c; this.lo = (seed + 0x165667b1) | 0; return this; }
  /** Mixes in an integer up to 2^53 in magnitude: one 32-bit word, two if its high bits are set. */
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
