// Time as the node sees it: injected, so the same node runs on the real clock or in virtual time.

/** Cancels a scheduled callback; cancelling twice, or after it ran, does nothing. */
export type Cancel = () => void;

/**
 * Time as a node sees it, in milliseconds: {@link realClock} in production, {@link SimulatedClock}
 * for deterministic runs in virtual time. A node reads no other clock.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never decreases. */
  now(): number;
  /** Runs `callback` once, `delayMs` from now. A delay of 0 means "after what is already due". */
  schedule(delayMs: number, callback: () => void): Cancel;
  /** Resolves `ms` from now. For scripts (tests, clients), not for the node itself. */
  sleep(ms: number): Promise<void>;
}

/** The process's clock. A zero delay runs as setImmediate: setTimeout would wait at least 1 ms. */
export const realClock: Clock = {
  now: () => performance.now(),
  schedule(delayMs, callback) {
    if (delayMs <= 0) {
      const handle = setImmediate(callback);
      return () => clearImmediate(handle);
    }
    const handle = setTimeout(callback, delayMs);
    return () => clearTimeout(handle);
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Timer {
  readonly at: number;
  readonly seq: number;
  callback: (() => void) | null;
  /** A sleeping script resumes in microtasks, which must run before the next timer fires. */
  readonly resumesScript: boolean;
}

/**
 * A deterministic scheduler in virtual time: callbacks run in order of due time, ties in the order
 * they were scheduled, and time jumps straight to the next due callback. Nothing here reads the
 * real clock, so a run is a function of its inputs and its seeds.
 */
export class SimulatedClock implements Clock {
  private time = 0;
  private seq = 0;
  private live = 0;
  private readonly heap: Timer[] = [];

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, callback: () => void): Cancel {
    return this.push(delayMs, callback, false);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.push(ms, resolve, true));
  }

  /** Callbacks scheduled and not yet run or cancelled. */
  pending(): number {
    return this.live;
  }

  /**
   * Runs the next due callback, moving time to its due time. Returns false if nothing is
   * scheduled, otherwise whether that callback resumes a sleeping script.
   */
  step(): { ran: false } | { ran: true; resumesScript: boolean } {
    for (;;) {
      const timer = this.pop();
      if (timer === undefined) return { ran: false };
      const callback = timer.callback;
      if (callback === null) continue;
      timer.callback = null;
      this.live--;
      this.time = timer.at;
      callback();
      return { ran: true, resumesScript: timer.resumesScript };
    }
  }

  /**
   * Runs everything due within `ms` from now, synchronously, then sets the time to now + ms.
   * More than `maxCallbacks` callbacks is an error: a livelock (say, two nodes answering each other
   * at no delay) would otherwise never let the time pass.
   */
  advance(ms: number, maxCallbacks = Infinity): void {
    const until = this.time + ms;
    for (let n = 0; this.peekAt() <= until; n++) {
      if (n >= maxCallbacks) throw new Error(`more than ${maxCallbacks} callbacks before ${until} ms: a livelock at ${this.time} ms?`);
      this.step();
    }
    this.time = until;
  }

  /**
   * Runs `script` to completion in virtual time: fires callbacks one by one, and whenever one
   * resumes the script, lets its microtasks run before the next. `check` is called after every
   * callback; an error it returns aborts the run (a tester's fatal error, say).
   */
  async run<T>(script: () => Promise<T>, check: () => Error | undefined = () => undefined): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    script().then((value) => { outcome = { ok: true, value }; }, (error: unknown) => { outcome = { ok: false, error }; });
    await drainMicrotasks();
    while (outcome === undefined) {
      const stepped = this.step();
      if (!stepped.ran) throw new Error(`simulated run is stuck at ${this.time} ms: the script waits, nothing is scheduled`);
      const failed = check();
      if (failed !== undefined) throw failed;
      if (stepped.resumesScript) await drainMicrotasks();
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private push(delayMs: number, callback: () => void, resumesScript: boolean): Cancel {
    const timer: Timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, callback, resumesScript };
    this.live++;
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
    return () => {
      if (timer.callback === null) return;
      timer.callback = null;
      this.live--;
    };
  }

  private peekAt(): number {
    while (this.heap.length > 0 && this.heap[0]!.callback === null) this.pop();
    return this.heap.length === 0 ? Infinity : this.heap[0]!.at;
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && before(heap[l]!, heap[min]!)) min = l;
      if (r < heap.length && before(heap[r]!, heap[min]!)) min = r;
      if (min === i) return top;
      [heap[i], heap[min]] = [heap[min]!, heap[i]!];
      i = min;
    }
  }
}

const before = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Node drains every queued microtask before it runs an immediate. */
const drainMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
