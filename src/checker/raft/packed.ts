// The Raft cluster packed for the searches: hash-consing plus memoised transitions. Nodes,
// messages and histories are immutable, so each distinct one is interned to a small id
// (content.ts), and a cluster state is a few words: node ids, the budget, the history id, and the
// message ids in network order. An action's result is learnt once from nextCluster (cluster.ts
// stays the only statement of the rules) and remembered under the ids it reads: the node it steps,
// the message it takes, the history, and for a proposal the proposals left. After that a
// successor is a few table look-ups and its fingerprint a fold of cached per-renaming parts
// (fingerprint.ts), so a duplicate is thrown away before any object is built. The state as an
// object (the view) is built only for the properties of a new state and to list actions.
import type { Message, Stepper } from '../../machine/index.ts';
import { ContentReader, encodeValue, InternTable } from '../content.ts';
import type { Fingerprint } from '../model.ts';
import type { PackedModel, SleepingVisit, StateReceiver, StateSender, Visit } from '../packed.ts';
import { Visited } from '../packed.ts';
import { TripleMap } from '../triple-map.ts';
import { enabledActions, nextCluster, type Bounds, type Budget, type ClusterAction, type ClusterNode, type ClusterState, type History } from './cluster.ts';
import { foldFingerprint, historyFingerprint, messageBaseHash, messageFingerprint, nodeBaseHash, nodeFingerprint, type Pair, type Renaming } from './fingerprint.ts';
import { persistentStateOf, type PersistentState, type RaftState } from '../../machine/index.ts';

/** Budget counters, 6 bits each, in one word. */
const BUDGET_BITS = 6;
const budgetKeys = ['drops', 'duplicates', 'crashes', 'proposals', 'snapshots'] as const;
const packBudget = (b: Budget): number => budgetKeys.reduce((w, k, i) => w | (b[k] << (BUDGET_BITS * i)), 0);
const unpackBudget = (w: number): Budget => {
  const field = (i: number) => (w >>> (BUDGET_BITS * i)) & ((1 << BUDGET_BITS) - 1);
  return { drops: field(0), duplicates: field(1), crashes: field(2), proposals: field(3), snapshots: field(4) };
};

/** Whether bounds fit the packing (budgets in 6 bits each). */
export const packable = (b: Bounds): boolean => budgetKeys.every((k) => b[k] < 1 << BUDGET_BITS);

interface MutableView { nodes: ClusterNode[]; network: Message[]; messageHashes: Pair[]; budget: Budget; history: History }

/** What an action does, learnt from nextCluster: kept in `results` at the offset the memo holds. */
const OUT = 0;
const enum Result { Node, NodeId, History, BudgetDelta, Removes, Sent, Length }

/** The action kinds in memo keys (with the message or the proposals left above these bits). */
const KIND_BITS = 4;
const KIND_MASK = (1 << KIND_BITS) - 1;
/** Kind codes below this take a message; the others step a node. */
const FIRST_NODE_KIND = 4;
const kindCode = (a: ClusterAction): number => {
  switch (a.kind) {
    case 'deliver': return a.crashAtPersist ? 1 : 0;
    case 'drop': return 2;
    case 'duplicate': return 3;
    case 'timeout': return a.crashAtPersist ? 5 : 4;
    case 'heartbeat': return 6;
    case 'propose': return 7;
    case 'snapshot': return 8;
    case 'crash': return 9;
    case 'land': return 10;
  }
};

export class PackedCluster implements PackedModel<ClusterState> {
  readonly width: number;
  private readonly n: number;
  private readonly nodes = new InternTable<ClusterNode>();
  private readonly messages = new InternTable<Message>();
  private readonly histories = new InternTable<History>();
  private readonly messageBases: Pair[] = [];
  /** Per-renaming fingerprint parts, two words each, at (id * renamings + r) * 2. */
  private nodeParts: Int32Array = new Int32Array(1024);
  private messageParts: Int32Array = new Int32Array(1024);
  private readonly historyParts: Pair[] = [];
  private readonly budgets = new Map<number, Budget>();
  private readonly memo = new TripleMap();
  private results: Int32Array = new Int32Array(1 << 12);
  private resultsSize = 1;
  private readonly scratch: Int32Array;
  private readonly foldParts: Int32Array;
  private readonly folded = { hi: 0, lo: 0 };
  private readonly oracleBounds: Bounds;
  private readonly words: number[] = [];
  private readonly expanded: MutableView;
  private readonly checked: MutableView;
  /** Scratch for sleepingSuccessors, per action of the state being expanded. */
  private sleep = { keys: new Int32Array(0), results: new Int32Array(0), stepped: new Int32Array(0), done: new Int32Array(0), out: new Int32Array(0) };

  constructor(private readonly bounds: Bounds, private readonly step: Stepper, private readonly renamings: readonly Renaming[], private readonly roots: readonly ClusterState[]) {
    this.n = bounds.nodes;
    this.width = this.n + 3 + bounds.maxInFlight;
    this.scratch = new Int32Array(this.width);
    this.foldParts = new Int32Array(2 * this.n);
    // The in-flight bound depends on the whole network, not on what an action reads: it is
    // checked here, after the memo.
    this.oracleBounds = { ...bounds, maxInFlight: Number.POSITIVE_INFINITY };
    this.results[OUT] = -1;
    const emptyView = (): MutableView => ({ nodes: [], network: [], messageHashes: [], budget: unpackBudget(0), history: roots[0]!.history });
    this.expanded = emptyView();
    this.checked = emptyView();
  }

  initialStates(): Int32Array {
    const out = new Int32Array(this.width * this.roots.length);
    this.roots.forEach((s, i) => this.pack(s, out, i * this.width));
    return out;
  }

  private pack(s: ClusterState, out: Int32Array, at: number): void {
    out.fill(-1, at, at + this.width);
    s.nodes.forEach((node, i) => { out[at + i] = this.internNode(node); });
    out[at + this.n] = packBudget(s.budget);
    out[at + this.n + 1] = this.internHistory(s.history);
    out[at + this.n + 2] = s.network.length;
    s.network.forEach((m, k) => { out[at + this.n + 3 + k] = this.internMessage(m); });
  }

  view(words: Int32Array, at: number): ClusterState { return this.fill(this.checked, words, at); }

  /**
   * Fills one of the two reused views (one for the state being expanded, one for the successor
   * being checked): properties and action lists only read a state, so no state object is made
   * per successor.
   */
  private fill(view: MutableView, words: Int32Array, at: number): ClusterState {
    const n = this.n;
    for (let i = 0; i < n; i++) view.nodes[i] = this.nodes.values[words[at + i]!]!;
    const inFlight = words[at + n + 2]!;
    view.network.length = inFlight;
    view.messageHashes.length = inFlight;
    for (let k = 0; k < inFlight; k++) {
      const m = words[at + n + 3 + k]!;
      view.network[k] = this.messages.values[m]!;
      view.messageHashes[k] = this.messageBases[m]!;
    }
    view.budget = this.budget(words[at + n]!);
    view.history = this.histories.values[words[at + n + 1]!]!;
    return view;
  }

  private budget(w: number): Budget {
    let b = this.budgets.get(w);
    if (b === undefined) this.budgets.set(w, (b = unpackBudget(w)));
    return b;
  }

  fingerprint(words: Int32Array, at: number): Fingerprint {
    this.fold(words, at);
    return { hi: this.folded.hi, lo: this.folded.lo };
  }

  /** The least fold over the renamings, into this.folded (what smallestFingerprint gives). */
  private fold(words: Int32Array, at: number): void {
    const n = this.n, count = this.renamings.length, folded = this.folded, parts = this.foldParts;
    const budget = this.budget(words[at + n]!);
    const history = words[at + n + 1]!;
    const inFlight = words[at + n + 2]!;
    let bestHi = 0, bestLo = 0;
    for (let r = 0; r < count; r++) {
      const { from } = this.renamings[r]!;
      for (let k = 0; k < n; k++) {
        const p = (words[at + from[k]! - 1]! * count + r) * 2;
        parts[2 * k] = this.nodeParts[p]!; parts[2 * k + 1] = this.nodeParts[p + 1]!;
      }
      let sumHi = 0, sumLo = 0;
      for (let k = 0; k < inFlight; k++) {
        const p = (words[at + n + 3 + k]! * count + r) * 2;
        sumHi = (sumHi + this.messageParts[p]!) | 0;
        sumLo = (sumLo + this.messageParts[p + 1]!) | 0;
      }
      foldFingerprint(parts, inFlight, sumHi, sumLo, budget, this.historyParts[history * count + r]!, folded);
      if (r === 0 || folded.hi < bestHi || (folded.hi === bestHi && folded.lo < bestLo)) { bestHi = folded.hi; bestLo = folded.lo; }
    }
    folded.hi = bestHi; folded.lo = bestLo;
  }

  successors(words: Int32Array, at: number, visit: Visit): boolean {
    const view = this.fill(this.expanded, words, at);
    const actions = enabledActions(view, this.bounds);
    for (let k = 0; k < actions.length; k++) {
      const r = this.resultOf(view, words, at, actions[k]!);
      if (r === OUT || !this.apply(words, at, actions[k]!, r)) continue;
      if (visit(k, this.scratch, this.folded.hi, this.folded.lo) === Visited.Stop) return true;
    }
    return false;
  }

  /**
   * Sleep sets (docs/checker.md, "Sleep sets"). An action's key names it the same way in every
   * state: the kind and the message's id, or the kind and the node. Two actions commute here
   * when the memo says so for this very state (`commute`); actions asleep are not taken, and a
   * second copy of a message in flight is the same transition as the first.
   */
  sleepingSuccessors(words: Int32Array, at: number, asleep: Int32Array, count: number, visit: SleepingVisit): boolean {
    const view = this.fill(this.expanded, words, at);
    const actions = enabledActions(view, this.bounds);
    const m = actions.length;
    if (this.sleep.keys.length < m) this.sleep = { ...this.sleep, keys: new Int32Array(2 * m), results: new Int32Array(2 * m), stepped: new Int32Array(2 * m), done: new Int32Array(2 * m) };
    if (this.sleep.out.length < count + m) this.sleep.out = new Int32Array(2 * (count + m));
    const { keys, results, stepped, done, out } = this.sleep;
    const n = this.n, inFlight = words[at + n + 2]!;
    for (let k = 0; k < m; k++) {
      const a = actions[k]!;
      const r = this.resultOf(view, words, at, a);
      const over = r !== OUT && inFlight - this.results[r + Result.Removes]! + this.results[r + Result.Sent]! > this.bounds.maxInFlight;
      results[k] = over ? OUT : r;
      keys[k] = 'message' in a ? (words[at + n + 3 + a.message]! << KIND_BITS) | kindCode(a) : (a.node << KIND_BITS) | kindCode(a);
      stepped[k] = a.kind === 'deliver' ? view.network[a.message]!.to - 1 : 'message' in a ? -1 : a.node;
    }
    const indexOf = (key: number): number => { for (let j = 0; j < m; j++) if (keys[j] === key && results[j] !== OUT) return j; return -1; };
    let doneCount = 0;
    for (let k = 0; k < m; k++) {
      if (results[k] === OUT || indexOf(keys[k]!) !== k) continue;
      let asleepHere = false;
      for (let z = 0; z < count; z++) if (asleep[z] === keys[k]) asleepHere = true;
      if (asleepHere) continue;
      let outCount = 0;
      for (let z = 0; z < count; z++) {
        const j = indexOf(asleep[z]!);
        if (j !== -1 && this.commute(words, at, j, k)) out[outCount++] = keys[j]!;
      }
      for (let d = 0; d < doneCount; d++) if (this.commute(words, at, done[d]!, k)) out[outCount++] = keys[done[d]!]!;
      done[doneCount++] = k;
      if (!this.apply(words, at, actions[k]!, results[k]!)) continue;
      if (visit(k, this.scratch, this.folded.hi, this.folded.lo, out, outCount) === Visited.Stop) return true;
    }
    return false;
  }

  /**
   * Whether actions i and j of the state being expanded (indices into this.sleep) commute there:
   * each leaves the history as it is, at most one moves the budget, they step and change
   * different nodes, take different messages, and both fit in flight together. Then each one's
   * memo key is the same after the other (its node, its message or proposals left, the history),
   * so is its effect, and the two orders give the same nodes, budget, history and network
   * multiset. Nothing here knows a Raft rule: only what the memo recorded for this state.
   */
  private commute(words: Int32Array, at: number, i: number, j: number): boolean {
    const R = this.results, { results, stepped, keys } = this.sleep;
    const ri = results[i]!, rj = results[j]!;
    const history = words[at + this.n + 1]!;
    if (R[ri + Result.History] !== history || R[rj + Result.History] !== history) return false;
    if (R[ri + Result.BudgetDelta] !== 0 && R[rj + Result.BudgetDelta] !== 0) return false;
    const messageI = (keys[i]! & KIND_MASK) < FIRST_NODE_KIND, messageJ = (keys[j]! & KIND_MASK) < FIRST_NODE_KIND;
    if (messageI && messageJ && keys[i]! >> KIND_BITS === keys[j]! >> KIND_BITS) return false;
    const si = stepped[i]!, ci = R[ri + Result.Node]!, sj = stepped[j]!, cj = R[rj + Result.Node]!;
    if ((si !== -1 && (si === sj || si === cj)) || (ci !== -1 && (ci === sj || ci === cj))) return false;
    const grows = (r: number) => R[r + Result.Sent]! - R[r + Result.Removes]!;
    return words[at + this.n + 2]! + grows(ri) + grows(rj) <= this.bounds.maxInFlight;
  }

  /** The memo's result for action `a` of the state at `at` (learnt on a miss), or OUT. */
  private resultOf(view: ClusterState, words: Int32Array, at: number, a: ClusterAction): number {
    const n = this.n;
    // The memo key: the node the action steps (-1: none), what it takes, the history.
    let node = -1, what: number;
    if ('message' in a) {
      const m = words[at + n + 3 + a.message]!;
      if (a.kind === 'deliver') node = words[at + this.messages.values[m]!.to - 1]!;
      what = (m << KIND_BITS) | kindCode(a);
    } else {
      node = words[at + a.node]!;
      what = ((a.kind === 'propose' ? view.budget.proposals : 0) << KIND_BITS) | kindCode(a);
    }
    const history = words[at + n + 1]!;
    let r = this.memo.get(node, what, history);
    if (r === -1) { r = this.learn(view, a); this.memo.set(node, what, history, r); }
    return r;
  }

  /**
   * Writes the successor of the state at `at` under action `a` (memo result `r`) into
   * this.scratch and its fingerprint into this.folded; false if it has too many messages in flight.
   */
  private apply(words: Int32Array, at: number, a: ClusterAction, r: number): boolean {
    const n = this.n, s = this.scratch, results = this.results;
    const inFlight = words[at + n + 2]!;
    const sent = results[r + Result.Sent]!;
    const removes = results[r + Result.Removes]!;
    const length = inFlight - removes + sent;
    if (length > this.bounds.maxInFlight) return false;
    for (let i = 0; i < n; i++) s[i] = words[at + i]!;
    const changed = results[r + Result.Node]!;
    if (changed !== -1) s[changed] = results[r + Result.NodeId]!;
    s[n] = words[at + n]! + results[r + Result.BudgetDelta]!;
    s[n + 1] = results[r + Result.History]!;
    s[n + 2] = length;
    let out = n + 3;
    const skip = removes === 1 && 'message' in a ? a.message : -1;
    for (let j = 0; j < inFlight; j++) if (j !== skip) s[out++] = words[at + n + 3 + j]!;
    for (let j = 0; j < sent; j++) s[out++] = results[r + Result.Length + j]!;
    while (out < this.width) s[out++] = -1;
    this.fold(s, 0);
    return true;
  }

  /**
   * Runs the action through nextCluster and records what it changed, checking that it changed
   * no more than the memo key can stand for: the one node it stepped, the network by taking the
   * acted-on message and appending what was sent.
   */
  private learn(view: ClusterState, a: ClusterAction): number {
    const next = nextCluster(view, a, this.oracleBounds, this.step);
    if (next === undefined) return OUT;
    let changed = -1;
    for (let i = 0; i < this.n; i++) {
      if (next.nodes[i] === view.nodes[i]) continue;
      if (changed !== -1) throw new Error(`${a.kind} changed nodes ${changed + 1} and ${i + 1}: the packed model memoises one node per action`);
      changed = i;
    }
    const taken = a.kind === 'deliver' || a.kind === 'drop' ? a.message : -1;
    const removes = taken === -1 ? 0 : 1;
    const kept = view.network.filter((_, k) => k !== taken);
    if (next.network.length < kept.length || kept.some((m, k) => next.network[k] !== m)) {
      throw new Error(`${a.kind} changed the network other than by taking its message and appending: the packed model cannot memoise it`);
    }
    const sent = next.network.slice(kept.length).map((m) => this.internMessage(m));
    const r = this.resultsSize;
    const size = Result.Length + sent.length;
    if (r + size > this.results.length) {
      const grown = new Int32Array(this.results.length * 2);
      grown.set(this.results);
      this.results = grown;
    }
    this.results[r + Result.Node] = changed;
    this.results[r + Result.NodeId] = changed === -1 ? -1 : this.internNode(next.nodes[changed]!);
    this.results[r + Result.History] = this.internHistory(next.history);
    this.results[r + Result.BudgetDelta] = packBudget(next.budget) - packBudget(view.budget);
    this.results[r + Result.Removes] = removes;
    this.results[r + Result.Sent] = sent.length;
    sent.forEach((m, j) => { this.results[r + Result.Length + j] = m; });
    this.resultsSize += size;
    return r;
  }

  // ---- interning: content words, then per-renaming fingerprint parts for a new id ----

  private internNode(node: ClusterNode): number {
    const words = this.words;
    words.length = 0;
    encodeNode(node, words);
    return this.addNode(words);
  }

  /**
   * Every value in the tables is decoded from its content, the ones learnt here as much as the
   * ones another thread sent: so all have the shapes the decoder gives (content.ts), and the
   * steps and properties that read them see one shape per kind of object, in every thread.
   */
  private addNode(words: ArrayLike<number>): number {
    const before = this.nodes.size;
    const id = this.nodes.intern(words, () => decodeNode(new ContentReader(words)));
    if (this.nodes.size > before) {
      const node = this.nodes.values[id]!;
      this.nodeParts = this.addParts(this.nodeParts, id, (r) => nodeFingerprint(node, r));
    }
    return id;
  }

  private internMessage(m: Message): number {
    const words = this.words;
    words.length = 0;
    encodeValue(m, words);
    return this.addMessage(words);
  }

  private addMessage(words: ArrayLike<number>): number {
    const before = this.messages.size;
    const id = this.messages.intern(words, () => new ContentReader(words).value() as Message);
    if (this.messages.size > before) {
      const m = this.messages.values[id]!;
      const base = messageBaseHash(m);
      this.messageBases.push(base);
      this.messageParts = this.addParts(this.messageParts, id, (r) => messageFingerprint(m, base, r));
    }
    return id;
  }

  private internHistory(h: History): number {
    const words = this.words;
    words.length = 0;
    encodeValue(h, words);
    return this.addHistory(words);
  }

  private addHistory(words: ArrayLike<number>): number {
    const before = this.histories.size;
    const id = this.histories.intern(words, () => new ContentReader(words).value() as History);
    if (this.histories.size > before) {
      const h = this.histories.values[id]!;
      for (const r of this.renamings) this.historyParts.push(historyFingerprint(h, r));
    }
    return id;
  }

  private addParts(parts: Int32Array, id: number, part: (r: Renaming) => Pair): Int32Array {
    const count = this.renamings.length;
    let out = parts;
    if ((id + 1) * count * 2 > out.length) {
      out = new Int32Array(Math.max(out.length * 2, (id + 1) * count * 2));
      out.set(parts);
    }
    this.renamings.forEach((r, k) => {
      const p = part(r);
      out[(id * count + k) * 2] = p.hi;
      out[(id * count + k) * 2 + 1] = p.lo;
    });
    return out;
  }

  // ---- states between threads: each node, message and history's content crosses once ----

  sender(): StateSender { return new ClusterSender(this.n, [this.nodes, this.messages, this.histories]); }

  receiver(): StateReceiver {
    return new ClusterReceiver(this.n, [
      (words) => this.addNode(words),
      (words) => this.addMessage(words),
      (words) => this.addHistory(words),
    ]);
  }

  get bytes(): number {
    return this.nodes.bytes + this.messages.bytes + this.histories.bytes + this.nodeParts.byteLength + this.messageParts.byteLength
      + this.historyParts.length * 16 + this.memo.bytes + this.results.byteLength;
  }
}

/** The interned kinds in a packed state, in the order definitions list them. */
const enum Kind { Node, Message, History }

/** Marks the ids a peer has been sent; definitions: per kind a count, then (id, length, content words) each. */
class ClusterSender implements StateSender {
  private sent = [new Uint8Array(256), new Uint8Array(256), new Uint8Array(256)];
  private readonly pending: number[][] = [[], [], []];

  constructor(private readonly n: number, private readonly tables: readonly InternTable<unknown>[]) {}

  note(words: Int32Array, at: number): void {
    const n = this.n;
    for (let i = 0; i < n; i++) this.mark(Kind.Node, words[at + i]!);
    this.mark(Kind.History, words[at + n + 1]!);
    for (let k = words[at + n + 2]! - 1; k >= 0; k--) this.mark(Kind.Message, words[at + n + 3 + k]!);
  }

  private mark(kind: Kind, id: number): void {
    let sent = this.sent[kind]!;
    if (id >= sent.length) { sent = new Uint8Array(Math.max(2 * sent.length, id + 1)); sent.set(this.sent[kind]!); this.sent[kind] = sent; }
    if (sent[id] === 1) return;
    sent[id] = 1;
    this.pending[kind]!.push(id);
  }

  definitions(): Int32Array {
    const out: number[] = [];
    this.pending.forEach((ids, kind) => {
      out.push(ids.length);
      for (const id of ids) { const c = this.tables[kind]!.content(id); out.push(id, c.length); for (const x of c) out.push(x); }
      ids.length = 0;
    });
    return Int32Array.from(out);
  }
}

/** The sender's ids to this thread's, per kind. */
class ClusterReceiver implements StateReceiver {
  private readonly local = [new Int32Array(256), new Int32Array(256), new Int32Array(256)];

  constructor(private readonly n: number, private readonly add: readonly ((words: Int32Array) => number)[]) {}

  define(definitions: Int32Array): void {
    let at = 0;
    for (let kind = Kind.Node; kind <= Kind.History; kind++) {
      for (let count = definitions[at++]!; count > 0; count--) {
        const id = definitions[at]!, length = definitions[at + 1]!;
        let local = this.local[kind]!;
        if (id >= local.length) { local = new Int32Array(Math.max(2 * local.length, id + 1)); local.set(this.local[kind]!); this.local[kind] = local; }
        local[id] = this.add[kind]!(definitions.subarray(at + 2, at + 2 + length));
        at += 2 + length;
      }
    }
  }

  translate(words: Int32Array, at: number): void {
    const n = this.n, nodes = this.local[Kind.Node]!, messages = this.local[Kind.Message]!;
    for (let i = 0; i < n; i++) words[at + i] = nodes[words[at + i]!]!;
    words[at + n + 1] = this.local[Kind.History]![words[at + n + 1]!]!;
    for (let k = words[at + n + 2]! - 1; k >= 0; k--) words[at + n + 3 + k] = messages[words[at + n + 3 + k]!]!;
  }
}

/**
 * A node's content: its machine state, what it made durable (most often the very fields of its
 * state: the fingerprint tells those two cases apart, so the content does too), and the rest of
 * the record as plain data (role, service cursor), its derived hash aside.
 */
function encodeNode({ state, durable: d, hash: _hash, ...rest }: ClusterNode, out: number[]): void {
  encodeValue(rest, out);
  encodeValue(state, out);
  const same = d.currentTerm === state.currentTerm && d.votedFor === state.votedFor && d.log === state.log && d.snapshot === state.snapshot;
  out.push(same ? 1 : 0);
  if (!same) encodeValue(d, out);
}

/** Built in the key order cluster.ts builds a node in, so a decoded node has the same shape. */
function decodeNode(reader: ContentReader): ClusterNode {
  const { role, serviceApplied } = reader.value() as Omit<ClusterNode, 'state' | 'durable' | 'hash'>;
  const state = reader.value() as RaftState;
  const durable = reader.word() === 1 ? persistentStateOf(state) : reader.value() as PersistentState;
  return { role, state, durable, serviceApplied, hash: nodeBaseHash(state) };
}
