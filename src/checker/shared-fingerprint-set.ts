// The visited set shared by the workers of a parallel search: 64-bit fingerprints in one
// open-addressing table over a SharedArrayBuffer, claimed with compare-and-swap, so the count of
// distinct states is exact whichever worker gets to a state first. Its size is fixed when it is
// made (a shared table cannot be rehashed while others probe it).

/** The buffers behind a table; they are what is posted to a worker. */
export interface SharedTableBuffers {
  readonly keys: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
}

const EMPTY = 0n;
/** Fingerprint 0 is stored as 1: it would read as an empty slot (one value in 2^64 merges). */
const ZERO_STANDIN = 1n;
const MAX_LOAD = 0.85;

export class SharedFingerprintSet {
  private readonly keys: BigInt64Array;
  /** [0]: distinct states (the next id); [1]: 1 once a search must stop. */
  private readonly counters: Int32Array;
  private readonly mask: number;
  private readonly limit: number;

  static create(capacityPow2: number): SharedTableBuffers {
    return { keys: new SharedArrayBuffer(capacityPow2 * 8), counters: new SharedArrayBuffer(8) };
  }

  constructor(readonly buffers: SharedTableBuffers) {
    this.keys = new BigInt64Array(buffers.keys);
    this.counters = new Int32Array(buffers.counters);
    this.mask = this.keys.length - 1;
    this.limit = Math.floor(this.keys.length * MAX_LOAD);
  }

  /** Claims the fingerprint; returns the new state's id, or -1 if some worker already has it. */
  insert(hi: number, lo: number): number {
    const key = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) || ZERO_STANDIN;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const existing = Atomics.load(this.keys, slot);
      if (existing === key) return -1;
      if (existing === EMPTY) {
        const before = Atomics.compareExchange(this.keys, slot, EMPTY, key);
        if (before === EMPTY) {
          const id = Atomics.add(this.counters, 0, 1);
          if (id >= this.limit) throw new Error(`the visited-state table is full (${this.keys.length.toLocaleString('en-US')} slots); give the search a larger table`);
          return id;
        }
        if (before === key) return -1;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  get size(): number { return Atomics.load(this.counters, 0); }
  get capacity(): number { return this.keys.length; }
  get stopped(): boolean { return Atomics.load(this.counters, 1) === 1; }
  stop(): void { Atomics.store(this.counters, 1, 1); }
}
