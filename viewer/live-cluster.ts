// A live cluster for the viewer: the model checker's Raft cluster (src/checker/raft/cluster.ts),
// whose actions step the shipped machines, driven by a simulated clock with randomized
// election timeouts, heartbeats and message latencies. The fault budget is effectively
// unlimited; crashes, partitions and drops are the user's. Because live mode uses the checker's
// actions and its trace format, a live run and a replayed counterexample are drawn by one path.
import { deriveStepper, type Message, type Stepper } from '../src/machine/index.ts';
import { initialCluster, nextCluster, type Bounds, type ClusterAction, type ClusterState } from '../src/checker/raft/cluster.ts';
import { describeAction } from '../src/checker/raft/model.ts';
import { traceSteps } from '../src/checker/raft/trace.ts';
import { seededRandom } from '../src/checker/random.ts';
import type { Frame } from './frame.ts';

/** Simulated milliseconds. Latency is long next to real networks so that messages can be watched. */
export const timing = {
  electionTimeout: [300, 600] as const,
  heartbeatInterval: 100,
  latency: [40, 80] as const,
};

const unlimited = 1_000_000;

interface Flight { readonly sentAt: number; readonly arrivesAt: number }

/** One thing the clock can do next, and when. */
interface Due { readonly at: number; readonly run: () => void }

export class LiveCluster {
  state: ClusterState;
  now = 0;
  readonly bounds: Bounds;
  /** Indices of nodes that are down: no timers, messages to them are lost. */
  readonly down = new Set<number>();
  /** When set, messages between nodes of different groups are lost; group[i] is node i's group. */
  partition: readonly number[] | null = null;
  /** What happened, newest last, with the simulated time. */
  readonly history: string[] = [];
  /** Per node: when its election timer was last reset, and when it expires. */
  private readonly electionTimer: { from: number; at: number }[];
  private readonly heartbeatDue: number[];
  private readonly flights = new WeakMap<Message, Flight>();
  private readonly random: () => number;
  private readonly step: Stepper;
  /** Effects of the steps inside the action being run: nextCluster carries them out, the clock needs the timer ones. */
  private stepped: { index: number; resetElection: boolean; resetHeartbeat: boolean; wasLeader: boolean; isLeader: boolean }[] = [];

  constructor(nodes: number, seed = 1) {
    // maxTerm sizes the checker's who-led-which-term history; a live session stays far below it.
    this.bounds = { nodes, maxTerm: 10_000, proposals: unlimited, maxInFlight: unlimited, drops: unlimited, duplicates: 0, crashes: unlimited, snapshots: unlimited };
    this.state = initialCluster(this.bounds);
    this.random = seededRandom(seed);
    const shipped = deriveStepper();
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
    this.partition = i === null ? null : this.state.nodes.map((_, j) => (j === i ? 1 : 0));
    this.record(`${this.clock()} ${i === null ? 'partition healed' : `node ${i + 1} is cut off`}`);
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
