// A map from triples of 32-bit integers to non-negative integers, in one typed array (four words a
// slot, open addressing): the key of a memoised transition is a few interned ids, and looking
// one up must not allocate.

const EMPTY = -1;

export class TripleMap {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacityPow2 = 1 << 12) {
    this.slots = new Int32Array(capacityPow2 * 4).fill(EMPTY);
    this.mask = capacityPow2 - 1;
  }

  /** The value stored for (a, b, c), or -1. */
  get(a: number, b: number, c: number): number {
    let slot = hash(a, b, c) & this.mask;
    for (;;) {
      const at = slot * 4;
      const value = this.slots[at + 3]!;
      if (value === EMPTY) return EMPTY;
      if (this.slots[at] === a && this.slots[at + 1] === b && this.slots[at + 2] === c) return value;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Stores `value` (≥ 0) for a key that is not in the map. */
  set(a: number, b: number, c: number, value: number): void {
    if ((this.size + 1) * 3 > (this.mask + 1) * 2) this.grow();
    let slot = hash(a, b, c) & this.mask;
    while (this.slots[slot * 4 + 3] !== EMPTY) slot = (slot + 1) & this.mask;
    const at = slot * 4;
    this.slots[at] = a; this.slots[at + 1] = b; this.slots[at + 2] = c; this.slots[at + 3] = value;
    this.size++;
  }

  get bytes(): number { return this.slots.byteLength; }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(EMPTY);
    this.mask = old.length / 2 - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += 4) if (old[at + 3] !== EMPTY) this.set(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!);
  }
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
}
