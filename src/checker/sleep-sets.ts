// Sleep sets for the breadth-first search (docs/checker.md, "Sleep sets"): each state of the
// level being built keeps the keys of the actions asleep in it. A state reached again in the same
// level keeps only the keys asleep on every arrival (on an arrival whose words differ from the
// state kept, a renaming or another order of the network, none: the keys would name other
// actions there). A state reached again in a later level is left alone: the argument needs only
// shortest paths, and those all arrive in the state's own level.

/** The sleep sets of one BFS level, by position in its frontier. */
class Level {
  pool = new Int32Array(1024);
  used = 0;
  start = new Int32Array(1024);
  count = new Int32Array(1024);
  /** Open addressing: fingerprint (hi, lo) and position + 1 (0: empty) per slot. */
  slots = new Int32Array(3 * 2048);
  positions = 0;

  clear(): void {
    this.used = 0;
    if (this.positions > 0) this.slots.fill(0);
    this.positions = 0;
  }

  add(position: number, hi: number, lo: number, keys: Int32Array, count: number): void {
    if (position >= this.start.length) {
      this.start = grown(this.start, position + 1);
      this.count = grown(this.count, position + 1);
    }
    if (this.used + count > this.pool.length) this.pool = grown(this.pool, this.used + count);
    this.pool.set(keys.subarray(0, count), this.used);
    this.start[position] = this.used;
    this.count[position] = count;
    this.used += count;
    if ((this.positions + 1) * 2 > this.slots.length / 3) this.rehash();
    this.insert(hi, lo, position);
    this.positions++;
  }

  /** The position of the state with this fingerprint in this level, or -1. */
  find(hi: number, lo: number): number {
    const mask = this.slots.length / 3 - 1;
    for (let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const p = this.slots[3 * slot + 2]!;
      if (p === 0) return -1;
      if (this.slots[3 * slot] === hi && this.slots[3 * slot + 1] === lo) return p - 1;
    }
  }

  /** Keeps only the keys of `position` that are also among `count` keys of `keys`. */
  intersect(position: number, keys: Int32Array, count: number): void {
    const at = this.start[position]!;
    let kept = 0;
    for (let i = 0; i < this.count[position]!; i++) {
      const key = this.pool[at + i]!;
      let also = false;
      for (let j = 0; j < count; j++) if (keys[j] === key) also = true;
      if (also) this.pool[at + kept++] = key;
    }
    this.count[position] = kept;
  }

  private insert(hi: number, lo: number, position: number): void {
    const mask = this.slots.length / 3 - 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.slots[3 * slot + 2] !== 0) slot = (slot + 1) & mask;
    this.slots[3 * slot] = hi; this.slots[3 * slot + 1] = lo; this.slots[3 * slot + 2] = position + 1;
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    for (let s = 0; s < old.length; s += 3) if (old[s + 2] !== 0) this.insert(old[s]!, old[s + 1]!, old[s + 2]! - 1);
  }
}

function grown(a: Int32Array, atLeast: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(a.length * 2, atLeast));
  out.set(a);
  return out;
}

export class SleepSets {
  private current = new Level();
  private next = new Level();

  /** A new state at `position` of the next level, with the sleep set it arrived with. */
  kept(position: number, hi: number, lo: number, keys: Int32Array, count: number): void {
    this.next.add(position, hi, lo, keys, count);
  }

  /**
   * A state already seen arrives again as `words` with sleep set `keys`. If it is in the next
   * level, stored there as `stored` (its words at `storedAt`), its sleep set shrinks.
   */
  again(hi: number, lo: number, words: Int32Array, stored: Int32Array, width: number, keys: Int32Array, count: number): void {
    const position = this.next.find(hi, lo);
    if (position === -1) return;
    const at = position * width;
    let same = true;
    for (let i = 0; i < width; i++) if (words[i] !== stored[at + i]) { same = false; break; }
    this.next.intersect(position, keys, same ? count : 0);
  }

  /** The sleep set of the state at `position` of the level being expanded. */
  asleep(position: number): Int32Array {
    const at = this.current.start[position]!;
    return this.current.pool.subarray(at, at + this.current.count[position]!);
  }

  /** The next level becomes the one expanded. */
  advance(): void {
    [this.current, this.next] = [this.next, this.current];
    this.next.clear();
  }
}
