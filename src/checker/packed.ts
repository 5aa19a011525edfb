// States packed into a fixed number of 32-bit words: what the breadth-first searches keep in
// their frontiers and hand between threads. A model may pack its own states (and generate
// successors on the packed form: raft/packed.ts); any other model is packed here by keeping its
// state objects in a table and packing each as its index, which suits the small ones.
import { ContentReader, encodeValue } from './content.ts';
import type { Fingerprint, Model } from './model.ts';

/** What a search answers for each successor: a state it had, a new one it kept, or stop. */
export const enum Visited { Duplicate, Kept, Stop }

/**
 * Called for each successor inside the model, in action order: `action` is its index in
 * Model.actions, `next` the successor packed (width words, valid during the call only), hi and lo
 * its fingerprint.
 */
export type Visit = (action: number, next: Int32Array, hi: number, lo: number) => Visited;

/** A Visit that is also handed the sleep set of the successor: `count` action keys at the start of `asleep`. */
export type SleepingVisit = (action: number, next: Int32Array, hi: number, lo: number, asleep: Int32Array, count: number) => Visited;

export interface PackedModel<S> {
  /** Words of each packed state. */
  readonly width: number;
  /** Model.initialStates(), packed one after another. */
  initialStates(): Int32Array;
  fingerprint(words: Int32Array, at: number): Fingerprint;
  /**
   * The state as the model's properties read it. The object may be reused by the next call (a
   * packing need not build one per successor): read it, do not keep it.
   */
  view(words: Int32Array, at: number): S;
  /** Visits the successors of the state at `at`; true if a visit said stop. */
  successors(words: Int32Array, at: number, visit: Visit): boolean;
  /** For states this thread sends to one other thread: one per receiving thread. */
  sender(): StateSender;
  /** For states from one other thread (the other end of its sender): one per sending thread. */
  receiver(): StateReceiver;
  /**
   * Optional: sleep sets (sleep-sets.ts). Successors as `successors` gives them, except that an
   * action whose key is among the `count` keys of `asleep` is not taken; each successor comes
   * with its own sleep set. A model offers this only when it can tell, on the state at hand,
   * that two actions commute (docs/checker.md, "Sleep sets").
   */
  sleepingSuccessors?(words: Int32Array, at: number, asleep: Int32Array, count: number, visit: SleepingVisit): boolean;
  /** Bytes of the tables behind the packing (interned values, memoised transitions). */
  readonly bytes: number;
}

/**
 * Each thread's packing has its own ids (of interned values, say), so a state crosses to another
 * thread as its words plus the content of each value the other end has not been sent before.
 * `note` each state sent; `definitions` is that content for the states noted since its last call.
 */
export interface StateSender {
  note(words: Int32Array, at: number): void;
  definitions(): Int32Array;
}

/** The receiving end: `define` the definitions of a batch, then `translate` its states in place. */
export interface StateReceiver {
  define(definitions: Int32Array): void;
  translate(words: Int32Array, at: number): void;
}

/** The model's own packing (a new one: it holds tables, one per thread), or the generic one. */
export const packedOf = <S, A>(model: Model<S, A>): PackedModel<S> => model.packed?.() ?? new ObjectPacking(model);

/** Packs each state as its index in a table of state objects (kept for the whole search). */
class ObjectPacking<S, A> implements PackedModel<S> {
  readonly width = 1;
  private readonly states: S[] = [];
  private readonly scratch = new Int32Array(1);

  constructor(private readonly model: Model<S, A>) {}

  initialStates(): Int32Array {
    const roots = this.model.initialStates();
    return Int32Array.from(roots, (s) => this.states.push(s) - 1);
  }

  fingerprint(words: Int32Array, at: number): Fingerprint { return this.model.fingerprint(this.states[words[at]!]!); }
  view(words: Int32Array, at: number): S { return this.states[words[at]!]!; }

  successors(words: Int32Array, at: number, visit: Visit): boolean {
    const state = this.states[words[at]!]!;
    const actions = this.model.actions(state);
    for (let k = 0; k < actions.length; k++) {
      const next = this.model.next(state, actions[k]!);
      if (next === undefined) continue;
      const fp = this.model.fingerprint(next);
      this.scratch[0] = this.states.push(next) - 1;
      const answer = visit(k, this.scratch, fp.hi, fp.lo);
      if (answer === Visited.Duplicate) this.states.pop();
      if (answer === Visited.Stop) return true;
    }
    return false;
  }

  /** A state sent keeps its index here (indices are never reused), so each noted one is new to the receiver. */
  sender(): StateSender {
    const pending: number[] = [];
    return {
      note: (words, at) => { pending.push(words[at]!); },
      definitions: () => {
        const out: number[] = [];
        for (const index of pending.splice(0)) { out.push(index); encodeValue(this.states[index], out); }
        return Int32Array.from(out);
      },
    };
  }

  receiver(): StateReceiver {
    const local = new Map<number, number>();
    return {
      define: (definitions) => {
        const reader = new ContentReader(definitions);
        while (reader.at < definitions.length) { const index = reader.word(); local.set(index, this.states.push(reader.value() as S) - 1); }
      },
      translate: (words, at) => { words[at] = local.get(words[at]!)!; },
    };
  }

  get bytes(): number { return this.states.length * 8; }
}

/** A growable array of packed states with their ids: one BFS level. */
export class Frontier {
  words: Int32Array;
  ids: Int32Array;
  count = 0;

  constructor(readonly width: number, capacity = 1024) {
    this.words = new Int32Array(width * capacity);
    this.ids = new Int32Array(capacity);
  }

  push(state: Int32Array, at: number, id: number): void {
    const w = this.width;
    if (this.count === this.ids.length) {
      const words = new Int32Array(this.words.length * 2); words.set(this.words); this.words = words;
      const ids = new Int32Array(this.ids.length * 2); ids.set(this.ids); this.ids = ids;
    }
    for (let i = 0; i < w; i++) this.words[this.count * w + i] = state[at + i]!;
    this.ids[this.count++] = id;
  }

  get bytes(): number { return this.words.byteLength + this.ids.byteLength; }
}
