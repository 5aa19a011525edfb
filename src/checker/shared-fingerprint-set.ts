// The visited set shared by the workers of a parallel search: 64-bit fingerprints in one
// open-addressing table over a SharedArrayBuffer, two 32-bit words a slot. A worker claims a slot
// by compare-and-swap on its low word, then writes the high word; one that finds the low word
// it is looking for waits for the high word before comparing. So the count of distinct states is
// exact whichever worker gets to a state first, and no 64-bit (BigInt) arithmetic is needed. Its
// size is fixed when it is made (a shared table cannot be rehashed while others probe it).

/** The buffers behind a table; they are what is posted to a worker. */
export interface SharedTableBuffers {
  readonly slots: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
}

const MAX_LOAD = 0.85;

export class SharedFingerprintSet {
  /** slots[2i]: the low word (0: empty), slots[2i + 1]: the high word (0: being written). */
  private readonly slots: Int32Array;
  /** [0]: distinct states (the next id); [1]: 1 once a search must stop. */
  private readonly counters: Int32Array;
  private readonly mask: number;
  private readonly limit: number;

  static create(capacityPow2: number): SharedTableBuffers {
    return { slots: new SharedArrayBuffer(capacityPow2 * 8), counters: new SharedArrayBuffer(8) };
  }

  constructor(readonly buffers: SharedTableBuffers) {
    this.slots = new Int32Array(buffers.slots);
    this.counters = new Int32Array(buffers.counters);
    this.mask = this.slots.length / 2 - 1;
    this.limit = Math.floor((this.slots.length / 2) * MAX_LOAD);
  }

  /**
   * Claims the fingerprint; returns the new state's id, or -1 if some worker already has it. A
   * zero word is stored as 1 (zero marks "empty" or "being written"): a fingerprint with a zero
   * word merges with its neighbour, one pair in 2^32 of those that have one.
   */
  insert(hi: number, lo: number): number {
    hi = hi | 0 || 1;
    lo = lo | 0 || 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = 2 * slot;
      let found = Atomics.load(this.slots, at);
      if (found === 0) {
        found = Atomics.compareExchange(this.slots, at, 0, lo);
        if (found === 0) {
          Atomics.store(this.slots, at + 1, hi);
          const id = Atomics.add(this.counters, 0, 1);
          if (id >= this.limit) throw new Error(`the visited-state table is full (${(this.mask + 1).toLocaleString('en-US')} slots); give the search a larger table`);
          return id;
        }
      }
      if (found === lo) {
        let h: number;
        while ((h = Atomics.load(this.slots, at + 1)) === 0);
        if (h === hi) return -1;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  get size(): number { return Atomics.load(this.counters, 0); }
  get capacity(): number { return this.mask + 1; }
  get bytes(): number { return this.slots.byteLength; }
  get stopped(): boolean { return Atomics.load(this.counters, 1) === 1; }
  stop(): void { Atomics.store(this.counters, 1, 1); }
}
