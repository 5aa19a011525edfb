// A live cluster for the viewer: the model checker's Raft cluster (src/checker/raft/cluster.ts),
// whose actions step the shipped machines, driven by a simulated clock with randomized
// election timeouts, heartbeats and message latencies. The fault budget is effectively
// unlimited; crashes, partitions and drops are the user's. Because live mode uses the checker's
// actions and its trace format, a live run and a replayed counterexample are drawn by one path.
import type { Message, Stepper } from '../src/machine/index.ts';
import { enabledActions, initialCluster, nextCluster, type Bounds, type ClusterAction, type ClusterState } from '../src/checker/raft/cluster.ts';
import { describeAction } from '../src/checker/raft/model.ts';
import { traceSteps } from '../src/checker/raft/trace.ts';
import { seededRandom } from '../src/checker/random.ts';
import type { Frame } from './frame.ts';
import { recordingStepper, type RecordingStepper, type Taken } from './transitions.ts';

/** Simulated milliseconds. Latency is long next to real networks so that messages can be watched. */
export const timing = {
  electionTimeout: [300, 600] as const,
  heartbeatInterval: 100,
  latency: [40, 80] as const,
};

const unlimited = 1_000_000;

interface Flight { readonly sentAt: number; readonly arrivesAt: number }

/**
 * Groups typed as "1 2 | 3 4 5" (node ids, groups split by "|"), checked against a cluster of
 * `size` nodes: the groups, or a sentence saying what is wrong.
 */
export function parseGroups(text: string, size: number): number[][] | string {
  const groups = text.split('|').map((g) => g.trim()).filter((g) => g !== '').map((g) => g.split(/[\s,]+/).map(Number));
  const ids = groups.flat();
  const bad = ids.find((id) => !Number.isInteger(id) || id < 1 || id > size);
  if (bad !== undefined) return `nodes are 1 to ${size}: "${text}" names ${Number.isNaN(bad) ? 'something else' : bad}`;
  const twice = ids.find((id, k) => ids.indexOf(id) !== k);
  if (twice !== undefined) return `node ${twice} is in two groups`;
  if (groups.length === 0) return 'give the groups as node ids, for example 1 2 | 3 4 5';
  return groups;
}

/** One thing the clock can do next, and when. */
interface Due { readonly at: number; readonly run: () => void }

export class LiveCluster {
  state: ClusterState;
  now = 0;
  readonly bounds: Bounds;
  /** Indices of nodes that are down: no timers, messages to them are lost. */
  readonly down = new Set<number>();
  /** When set, messages between nodes of different groups are lost; partition[i] is node i's group. */
  partition: readonly number[] | null = null;
  /** The transitions the last action took, for the statechart. */
  taken: readonly Taken[] = [];
  /** What happened, newest last, with the simulated time. */
  readonly history: string[] = [];
  /** Per node: when its election timer was last reset, and when it expires. */
  private readonly electionTimer: { from: number; at: number }[];
  private readonly heartbeatDue: number[];
  private readonly flights = new WeakMap<Message, Flight>();
  private readonly random: () => number;
  private readonly step: Stepper;
  private readonly recorder: RecordingStepper = recordingStepper();
  /** Effects of the steps inside the action being run: nextCluster carries them out, the clock needs the timer ones. */
  private stepped: { index: number; resetElection: boolean; resetHeartbeat: boolean; wasLeader: boolean; isLeader: boolean }[] = [];

  constructor(nodes: number, seed = 1) {
    // maxTerm sizes the checker's who-led-which-term history; a live session stays far below it.
    this.bounds = { nodes, maxTerm: 10_000, proposals: unlimited, maxInFlight: unlimited, drops: unlimited, duplicates: 0, crashes: unlimited, snapshots: unlimited };
    this.state = initialCluster(this.bounds);
    this.random = seededRandom(seed);
    const shipped = this.recorder.step;
    this.step = (node, event) => {
      const r = shipped(node, event);
      this.stepped.push({
        index: node.state.id - 1,
        resetElection: r.effects.some((e) => e.type === 'resetElectionTimer'),
        resetHeartbeat: r.effects.some((e) => e.type === 'resetHeartbeatTimer'),
        wasLeader: node.role === 'leader',
        isLeader: r.role === 'leader',
      });
      return r;
    };
    this.electionTimer = Array.from({ length: nodes }, () => this.newElectionTimer());
    this.heartbeatDue = new Array<number>(nodes).fill(Infinity);
  }

  get leader(): number | undefined {
    const leaders = this.state.nodes.map((n, i) => (n.role === 'leader' && !this.down.has(i) ? i : -1)).filter((i) => i >= 0);
    // Two nodes can believe they lead (an old leader cut off); the one of the highest term is the leader.
    return leaders.sort((a, b) => this.state.nodes[b]!.state.currentTerm - this.state.nodes[a]!.state.currentTerm)[0];
  }

  /** Runs everything due in the next `ms` simulated milliseconds, in time order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (let due = this.nextDue(); due !== undefined && due.at <= until; due = this.nextDue()) {
      this.now = Math.max(this.now, due.at);
      due.run();
    }
    this.now = until;
  }

  /** Jumps to the next thing due and does it; false if nothing is scheduled. */
  stepOnce(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.now = Math.max(this.now, due.at);
    due.run();
    return true;
  }

  propose(): boolean {
    const leader = this.leader;
    if (leader === undefined) return false;
    this.act({ kind: 'propose', node: leader });
    return true;
  }

  /** The node stops: in-flight messages to it will be lost; when it restarts it has only what it persisted. */
  crash(i: number): void {
    if (this.down.has(i)) return;
    this.act({ kind: 'crash', node: i });
    this.down.add(i);
    this.record(`${this.clock()} node ${i + 1} is down`);
  }

  restart(i: number): void {
    if (!this.down.delete(i)) return;
    this.electionTimer[i] = this.newElectionTimer();
    this.heartbeatDue[i] = Infinity;
    this.record(`${this.clock()} node ${i + 1} is back up`);
  }

  drop(k: number): void {
    if (this.state.network[k] !== undefined) this.act({ kind: 'drop', message: k });
  }

  /** Cuts node `i` off from the others (or heals, with null). */
  isolate(i: number | null): void {
    if (i === null) this.partitionInto(null);
    else this.partitionInto([[i + 1]]);
  }

  /**
   * Splits the cluster into groups of node ids (1-based) that hear only each other; nodes in no
   * group form one more group together. null heals the partition.
   */
  partitionInto(groups: readonly (readonly number[])[] | null): void {
    if (groups === null) {
      this.partition = null;
      this.record(`${this.clock()} partition healed`);
      return;
    }
    const groupOf = this.state.nodes.map((_, i) => {
      const g = groups.findIndex((ids) => ids.includes(i + 1));
      return g === -1 ? groups.length : g;
    });
    this.partition = groupOf;
    const shown = [...new Set(groupOf)].map((g) => groupOf.flatMap((x, i) => (x === g ? [i + 1] : [])).join(' '));
    this.record(`${this.clock()} ${shown.length === 1 ? 'no partition: every node is in one group' : `partitioned: ${shown.map((s) => `{${s}}`).join(' ')}`}`);
  }

  /** The service of node `i` takes a snapshot through what it has applied; false if there is nothing new to compact. */
  snapshot(i: number): boolean {
    const action = enabledActions(this.state, this.bounds).find((a) => a.kind === 'snapshot' && a.node === i);
    if (action === undefined || this.down.has(i)) {
      this.record(`${this.clock()} node ${i + 1} has applied nothing since its last snapshot${this.down.has(i) ? ' (it is down)' : ''}`);
      return false;
    }
    this.act(action);
    return true;
  }

  frame(): Frame {
    // The trace format's view of one cluster state (a one-state path), so replay and live mode draw alike.
    const [step] = traceSteps({ states: [this.state], actions: [] });
    return {
      step: { ...step!, nodes: step!.nodes.map((n, i) => ({ ...n, up: !this.down.has(i) })) },
      progress: this.state.network.map((m) => {
        const f = this.flights.get(m);
        return f === undefined ? 0 : Math.min(1, Math.max(0, (this.now - f.sentAt) / (f.arrivesAt - f.sentAt)));
      }),
      electionTimers: this.state.nodes.map((n, i) => {
        if (n.role === 'leader' || this.down.has(i)) return null;
        const { from, at } = this.electionTimer[i]!;
        return Math.min(1, Math.max(0, (at - this.now) / (at - from)));
      }),
      caption: `t = ${this.clock()}`,
      violated: null,
      taken: this.taken,
    };
  }

  private record(line: string): void {
    this.history.push(line);
    if (this.history.length > 500) this.history.splice(0, this.history.length - 500);
  }

  private clock(): string { return `${(this.now / 1000).toFixed(3)} s`; }

  private newElectionTimer(): { from: number; at: number } {
    const [lo, hi] = timing.electionTimeout;
    return { from: this.now, at: this.now + lo + this.random() * (hi - lo) };
  }

  private nextDue(): Due | undefined {
    let best: Due | undefined;
    const consider = (at: number, run: () => void) => { if (best === undefined || at < best.at) best = { at, run }; };
    this.state.network.forEach((m) => {
      const f = this.flights.get(m);
      if (f !== undefined) consider(f.arrivesAt, () => this.arrive(m));
    });
    this.state.nodes.forEach((n, i) => {
      if (this.down.has(i)) return;
      if (n.role === 'leader') consider(this.heartbeatDue[i]!, () => this.act({ kind: 'heartbeat', node: i }));
      else consider(this.electionTimer[i]!.at, () => this.act({ kind: 'timeout', node: i, crashAtPersist: false }));
    });
    return best;
  }

  private arrive(m: Message): void {
    const k = this.state.network.indexOf(m);
    const from = m.from - 1, to = m.to - 1;
    const cut = this.down.has(to) || (this.partition !== null && this.partition[from] !== this.partition[to]);
    this.act(cut ? { kind: 'drop', message: k } : { kind: 'deliver', message: k, crashAtPersist: false });
  }

  private act(action: ClusterAction): void {
    this.stepped = [];
    const before = this.state;
    const next = nextCluster(before, action, this.bounds, this.step);
    if (next === undefined) throw new Error(`the live cluster left the model's bounds at ${describeAction(before, action)}`);
    this.record(`${this.clock()} ${describeAction(before, action)}`);
    this.state = next;
    this.taken = this.recorder.drain();
    for (const s of this.stepped) {
      if (s.resetElection || (s.wasLeader && !s.isLeader)) this.electionTimer[s.index] = this.newElectionTimer();
      if (s.resetHeartbeat) this.heartbeatDue[s.index] = this.now + timing.heartbeatInterval;
    }
    const [lo, hi] = timing.latency;
    for (const m of next.network) {
      if (!this.flights.has(m)) this.flights.set(m, { sentAt: this.now, arrivesAt: this.now + lo + this.random() * (hi - lo) });
    }
  }
}
