// The Raft cluster as a model: every node's machine, what each made durable, the messages in
// flight, what is left of the fault budget, and a history of what happened (who led which term,
// what was applied at each index) that the properties read. Nodes are stepped by the shipped
// machine's stepper; nothing here re-implements a Raft rule.
import {
  initialNode, log, logIndex, nodeId, persistentStateOf,
  type Command, type Effect, type Message, type NodeSnapshot, type PersistentState, type RaftEvent, type Stepper,
} from '../../machine/index.ts';
import { messageBaseHash, nodeBaseHash, type Pair } from './fingerprint.ts';

/**
 * What makes the Raft model finite: node count, the highest term, and budgets for proposals and
 * each fault over a whole run. Every number a search explores grows steeply with these.
 */
export interface Bounds {
  readonly nodes: number;
  /** No node may reach a term above this. */
  readonly maxTerm: number;
  /** Client proposals in the whole run (each proposal is one log entry). */
  readonly proposals: number;
  /** States with more messages in flight are outside the model. */
  readonly maxInFlight: number;
  readonly drops: number;
  readonly duplicates: number;
  /** Crashes (each followed at once by a restart from durable state). */
  readonly crashes: number;
  /** Snapshots the service may take, over the whole run. */
  readonly snapshots: number;
  /**
   * Leaders write new entries in parallel with sending them (PW.1): the write stays outstanding
   * while the messages travel, lands by an action of its own (`land`), and a crash before that
   * loses it. Without it the machine's leaders persist before they send, as every other persist.
   */
  readonly leaderWritesInParallel?: boolean;
  /**
   * Leaders run the rest of what RaftNode turns on (src/runtime/node.ts): commits announced at once
   * (CP.1), one AppendEntries at a time to a follower not known to match (FC.1), and a cap on
   * unacknowledged AppendEntries per follower (FC.2), here FLOW_CONTROL_CAP so that the model
   * reaches it (RaftNode's is far above any bound the checker explores).
   */
  readonly flowControl?: boolean;
}

/** FC.2's cap in the model: small enough that a leader with entries for a follower meets it. */
export const FLOW_CONTROL_CAP = 1;

/** The bounds that are numbers: what the command line sets one by one (swarm walks draw the leader's two options as well). */
export type NumericBound = Exclude<keyof Bounds, 'leaderWritesInParallel' | 'flowControl'>;

export interface Budget { readonly drops: number; readonly duplicates: number; readonly crashes: number; readonly proposals: number; readonly snapshots: number }

/**
 * Bits of History.flags: something forbidden happened (a violation), or a situation that bugs
 * need in order to show happened (coverage: the "sometimes" properties read these).
 */
export const Flag = {
  TwoLeadersInOneTerm: 1 << 0,
  DifferentCommandsApplied: 1 << 1,
  LeaderLogRewritten: 1 << 2,
  TermDecreased: 1 << 3,
  SnapshotDisagrees: 1 << 4,
  SnapshotInstalled: 1 << 5,
  CrashedNodeRecovered: 1 << 6,
  AppliedOutOfOrder: 1 << 7,
  /** A node's log lost entries (not by compaction): a conflict was resolved by truncation. */
  LogTruncated: 1 << 8,
  /** InstallSnapshot arrived at a node whose log held entries past its own snapshot. */
  SnapshotOverLog: 1 << 9,
  /** A node restarted with a snapshot in its durable state. */
  RestartedWithSnapshot: 1 << 10,
  /** A message was delivered to a node already in a later term than the message's. */
  StaleMessageDelivered: 1 << 11,
  /** A leader's commitIndex moved over an entry of an earlier term (committed by counting a later one, §5.4.2). */
  EarlierTermCommitted: 1 << 12,
} as const;

/**
 * The flags that only say a situation was reached. They are left out of the fingerprint: the
 * searches look for "sometimes" properties on every successor they generate, before dropping
 * duplicates, so merging states that differ only in these loses no coverage, and keeping them
 * apart would multiply the state space by their combinations.
 */
export const coverageFlags = Flag.SnapshotInstalled | Flag.CrashedNodeRecovered | Flag.LogTruncated | Flag.SnapshotOverLog
  | Flag.RestartedWithSnapshot | Flag.StaleMessageDelivered | Flag.EarlierTermCommitted;

export interface History {
  /** leaders[t]: the id of the node that led term t, or 0. */
  readonly leaders: readonly number[];
  /** applied[i - 1]: the command first applied at index i by any node. */
  readonly applied: readonly Command[];
  /** appliedTerm[i - 1]: that entry's term; appliedBy[i - 1]: the applier's currentTerm then. */
  readonly appliedTerm: readonly number[];
  readonly appliedAt: readonly number[];
  readonly flags: number;
  /** Bit i: node i + 1 has crashed and restarted at least once. */
  readonly restarted: number;
}

/**
 * A node as the cluster holds it: the machine's snapshot, what the node has made durable, what
 * its service has been handed, and the id-free hash of its state, kept in step with it
 * (fingerprint.ts). One record, so an action that changes a node replaces one object in one array.
 */
export interface ClusterNode extends NodeSnapshot {
  readonly durable: PersistentState;
  /**
   * The service's own applied cursor: the last index it was handed, by applyEntries or a
   * snapshot. Kept from the effects alone, never from the machine's lastApplied, so properties
   * can hold the machine's claims against it. A crash empties the service; it comes back with
   * only what the restart hands it.
   */
  readonly serviceApplied: number;
  readonly hash: Pair;
}

/**
 * One state of the modelled cluster: every node, the messages in flight (any of them may be
 * delivered next), the fault budgets left, and the history the properties read.
 */
export interface ClusterState {
  readonly nodes: readonly ClusterNode[];
  readonly network: readonly Message[];
  /** messageHashes[k]: the id-free hash of network[k] (fingerprint.ts). */
  readonly messageHashes: readonly Pair[];
  readonly budget: Budget;
  readonly history: History;
}

/**
 * One step of the cluster: deliver, drop or duplicate the message at a slot of `network`, or a
 * node's timeout, heartbeat, proposal, snapshot, crash or PW.1 write landing. `node` is an index
 * into `nodes` (id − 1); a delivery or timeout may crash the node at its first persist.
 */
export type ClusterAction =
  | { readonly kind: 'deliver'; readonly message: number; readonly crashAtPersist: boolean }
  | { readonly kind: 'drop' | 'duplicate'; readonly message: number }
  | { readonly kind: 'timeout'; readonly node: number; readonly crashAtPersist: boolean }
  | { readonly kind: 'heartbeat' | 'propose' | 'snapshot' | 'crash' | 'land'; readonly node: number };

export function initialCluster(bounds: Bounds): ClusterState {
  const members = Array.from({ length: bounds.nodes }, (_, i) => nodeId(i + 1));
  const nodes = members.map((id) => initialNode({
    id, members,
    ...(bounds.leaderWritesInParallel === true ? { leaderWritesInParallel: true } : {}),
    ...(bounds.flowControl === true ? { announceCommits: true, probeUntilMatch: true, maxInflightAppends: FLOW_CONTROL_CAP } : {}),
  }));
  return {
    nodes: nodes.map((n) => ({ ...n, durable: persistentStateOf(n.state), serviceApplied: 0, hash: nodeBaseHash(n.state) })),
    network: [],
    messageHashes: [],
    budget: { drops: bounds.drops, duplicates: bounds.duplicates, crashes: bounds.crashes, proposals: bounds.proposals, snapshots: bounds.snapshots },
    history: { leaders: new Array<number>(bounds.maxTerm + 1).fill(0), applied: [], appliedTerm: [], appliedAt: [], flags: 0, restarted: 0 },
  };
}

export function enabledActions(s: ClusterState, bounds: Bounds): ClusterAction[] {
  const out: ClusterAction[] = [];
  const canCrash = s.budget.crashes > 0;
  for (let message = 0; message < s.network.length; message++) {
    const m = messageActions(message);
    out.push(m.deliver);
    if (canCrash) out.push(m.deliverCrashing);
    if (s.budget.drops > 0) out.push(m.drop);
    if (s.budget.duplicates > 0) out.push(m.duplicate);
  }
  for (let node = 0; node < s.nodes.length; node++) {
    const { role, state } = s.nodes[node]!;
    const n = nodeActions(node);
    if (role !== 'leader' && state.currentTerm < bounds.maxTerm) {
      out.push(n.timeout);
      if (canCrash) out.push(n.timeoutCrashing);
    }
    if (role === 'leader') {
      out.push(n.heartbeat);
      if (s.budget.proposals > 0) out.push(n.propose);
    }
    if (s.budget.snapshots > 0 && state.lastApplied > state.log.snapshotIndex) out.push(n.snapshot);
    if (canCrash) out.push(n.crash);
    if (bounds.leaderWritesInParallel === true && writeOutstanding(s.nodes[node]!)) out.push(n.land);
  }
  return out;
}

// Actions are immutable values that name a message slot or a node, so each distinct one is made
// once and shared by every state that enables it: listing a state's actions allocates one array.
const byMessage: ReturnType<typeof makeMessageActions>[] = [];
const byNode: ReturnType<typeof makeNodeActions>[] = [];
const messageActions = (message: number) => (byMessage[message] ??= makeMessageActions(message));
const nodeActions = (node: number) => (byNode[node] ??= makeNodeActions(node));

function makeMessageActions(message: number) {
  return Object.freeze({
    deliver: Object.freeze({ kind: 'deliver', message, crashAtPersist: false } as const),
    deliverCrashing: Object.freeze({ kind: 'deliver', message, crashAtPersist: true } as const),
    drop: Object.freeze({ kind: 'drop', message } as const),
    duplicate: Object.freeze({ kind: 'duplicate', message } as const),
  });
}

function makeNodeActions(node: number) {
  return Object.freeze({
    timeout: Object.freeze({ kind: 'timeout', node, crashAtPersist: false } as const),
    timeoutCrashing: Object.freeze({ kind: 'timeout', node, crashAtPersist: true } as const),
    heartbeat: Object.freeze({ kind: 'heartbeat', node } as const),
    propose: Object.freeze({ kind: 'propose', node } as const),
    snapshot: Object.freeze({ kind: 'snapshot', node } as const),
    crash: Object.freeze({ kind: 'crash', node } as const),
    land: Object.freeze({ kind: 'land', node } as const),
  });
}

/**
 * A leader's parallel write (PW.1) is under way: what it has made durable is not its state. Every
 * other change to a node's persistent state is persisted within the step that makes it, so this
 * is the only way the two differ.
 */
export function writeOutstanding({ state, durable: d }: ClusterNode): boolean {
  return d.currentTerm !== state.currentTerm || d.votedFor !== state.votedFor || d.log !== state.log || d.snapshot !== state.snapshot;
}

/** Carries out one action; undefined when the result leaves the bounds or changes nothing new. */
export function nextCluster(s: ClusterState, a: ClusterAction, bounds: Bounds, step: Stepper): ClusterState | undefined {
  const b = new Builder(s, step);
  switch (a.kind) {
    case 'deliver': {
      const m = s.network[a.message]!;
      b.remove(a.message);
      if (!b.run(m.to - 1, m, a.crashAtPersist)) return undefined;
      break;
    }
    case 'drop': b.remove(a.message); b.spend('drops'); break;
    case 'duplicate': b.send(s.network[a.message]!); b.spend('duplicates'); break;
    case 'timeout': if (!b.run(a.node, electionTimeout, a.crashAtPersist)) return undefined; break;
    case 'heartbeat': b.run(a.node, heartbeatDue, false); break;
    case 'propose':
      b.spend('proposals');
      b.run(a.node, { type: 'Propose', commands: [bounds.proposals - b.budget.proposals] }, false);
      break;
    case 'snapshot': {
      const { state } = s.nodes[a.node]!;
      b.spend('snapshots');
      b.run(a.node, { type: 'Snapshot', index: state.lastApplied, data: serviceStateAt(state, state.lastApplied) }, false);
      break;
    }
    case 'crash': b.crash(a.node); break;
    case 'land': b.land(a.node); break;
  }
  if (b.network.length > bounds.maxInFlight) return undefined;
  for (const n of b.nodes) if (n.state.currentTerm > bounds.maxTerm) return undefined;
  return b.build();
}

const electionTimeout: RaftEvent = { type: 'ElectionTimeout' };
/**
 * What the host steps when a node's outstanding write lands: it wrote the state as it is, since a
 * write under way is of the leader's latest entries (a later one supersedes it), within its term.
 */
const landed = (state: NodeSnapshot['state']): RaftEvent => ({ type: 'LogDurable', term: state.currentTerm, index: log.lastIndex(state.log) });
const heartbeatDue: RaftEvent = { type: 'HeartbeatDue' };

/**
 * The service's state after applying through `index`, as the snapshot it would hand over: the
 * commands applied, one byte each (the model's commands are small integers).
 */
function serviceStateAt(state: NodeSnapshot['state'], index: number): Uint8Array {
  const fromLog = log.entriesBetween(state.log, logIndex(state.log.snapshotIndex + 1), logIndex(index)).map((e) => e.command as number);
  return Uint8Array.from([...state.snapshot, ...fromLog]);
}

/**
 * Accumulates the changes of one action. Each array of the source state is copied on its first
 * write only, and whatever the action leaves alone is shared with the source: most actions touch
 * one node and the network, and most successors are duplicates thrown away at once.
 */
class Builder {
  nodes: readonly ClusterNode[];
  network: readonly Message[];
  budget: Budget;
  private messageHashes: readonly Pair[];
  private ownNodes: ClusterNode[] | undefined;
  private ownNetwork: { messages: Message[]; hashes: Pair[] } | undefined;
  private ownBudget: { -readonly [K in keyof Budget]: Budget[K] } | undefined;
  private leaders: readonly number[];
  private applied: readonly Command[];
  private appliedTerm: readonly number[];
  private appliedAt: readonly number[];
  private flags: number;
  private restarted: number;

  constructor(private readonly source: ClusterState, private readonly step: Stepper) {
    ({ nodes: this.nodes, network: this.network, messageHashes: this.messageHashes, budget: this.budget } = source);
    ({ leaders: this.leaders, applied: this.applied, appliedTerm: this.appliedTerm, appliedAt: this.appliedAt, flags: this.flags, restarted: this.restarted } = source.history);
  }

  /**
   * Steps node i and carries out its effects in order. With `crashAtPersist`, the node crashes
   * where its first persist would happen: what it sent before that has left, the rest never
   * happens. Returns false if that crash point does not exist (no persist in this step).
   */
  run(i: number, event: RaftEvent, crashAtPersist: boolean): boolean {
    const before = this.nodes[i]!;
    const r = this.step(before, event);
    if (crashAtPersist && !r.effects.some((e) => e.type === 'persist')) return false;
    if ('term' in event && event.term < before.state.currentTerm) this.flags |= Flag.StaleMessageDelivered;
    let durable = before.durable;
    let serviceApplied = before.serviceApplied;
    for (const e of r.effects) {
      if (e.type === 'persist') {
        if (crashAtPersist) { this.crash(i); return true; }
        durable = persistentStateOf(r.state);
      } else if (e.type === 'send') this.send(e.message);
      // persistInParallel: the write stays outstanding (durable as it was) until `land`.
      else if (e.type === 'applyEntries' || e.type === 'applySnapshot') serviceApplied = this.hand(i, serviceApplied, e, r.state.currentTerm);
    }
    if (event.type === 'InstallSnapshot' && r.effects.some((e) => e.type === 'applySnapshot')) {
      this.flags |= Flag.SnapshotInstalled;
      if (log.lastIndex(before.state.log) > before.state.log.snapshotIndex) this.flags |= Flag.SnapshotOverLog;
    }
    this.setNode(i, r.role, r.state, durable, serviceApplied);
    this.observe(i, before, this.nodes[i]!);
    // A persist writes the whole state, so it also lands a parallel write under way, which the
    // host reports as it would have (ignored unless the node still leads that term).
    if (writeOutstanding(before) && !writeOutstanding(this.nodes[i]!)) this.run(i, landed(before.state), false);
    return true;
  }

  /** Node i's parallel write lands: its state is durable, and it hears so (PW.1). */
  land(i: number): void {
    const node = this.nodes[i]!;
    this.setNode(i, node.role, node.state, persistentStateOf(node.state), node.serviceApplied);
    this.run(i, landed(node.state), false);
  }

  /**
   * The service of node i is handed entries or a snapshot: it records them and moves its cursor.
   * Entries must continue exactly where the service is; a snapshot must move it forward.
   */
  private hand(i: number, at: number, e: Extract<Effect, { type: 'applyEntries' | 'applySnapshot' }>, appliedIn: number): number {
    if (e.type === 'applySnapshot') {
      if (e.index <= at) this.flags |= Flag.AppliedOutOfOrder;
      this.recordSnapshot(e.index, e.data);
      return e.index;
    }
    if (e.first !== at + 1) this.flags |= Flag.AppliedOutOfOrder;
    e.entries.forEach((entry, k) => this.recordApply(i, e.first + k, entry.term, entry.command, appliedIn));
    return e.first + e.entries.length - 1;
  }

  send(m: Message): void { const own = this.writableNetwork(); own.messages.push(m); own.hashes.push(messageBaseHash(m)); }
  remove(k: number): void { const own = this.writableNetwork(); own.messages.splice(k, 1); own.hashes.splice(k, 1); }

  spend(kind: keyof Budget): void {
    this.ownBudget ??= { ...this.budget };
    this.ownBudget[kind]--;
    this.budget = this.ownBudget;
  }

  private setNode(i: number, role: NodeSnapshot['role'], state: NodeSnapshot['state'], durable: PersistentState, serviceApplied: number): void {
    const current = this.nodes[i]!;
    if (role === current.role && state === current.state && durable === current.durable && serviceApplied === current.serviceApplied) return;
    if (this.ownNodes === undefined) this.nodes = this.ownNodes = [...this.nodes];
    const hash = state === current.state ? current.hash : nodeBaseHash(state);
    this.ownNodes[i] = { role, state, durable, serviceApplied, hash };
  }

  private writableNetwork(): { messages: Message[]; hashes: Pair[] } {
    if (this.ownNetwork === undefined) {
      this.ownNetwork = { messages: [...this.network], hashes: [...this.messageHashes] };
      this.network = this.ownNetwork.messages;
      this.messageHashes = this.ownNetwork.hashes;
    }
    return this.ownNetwork;
  }

  /** Node i crashes and restarts at once from its durable state; its service starts empty. */
  crash(i: number): void {
    this.spend('crashes');
    this.restarted |= 1 << i;
    const before = this.nodes[i]!;
    if (before.durable.log.snapshotIndex > 0) this.flags |= Flag.RestartedWithSnapshot;
    const r = this.step(before, { type: 'Restart', persisted: before.durable });
    let serviceApplied = 0;
    for (const e of r.effects) if (e.type === 'applyEntries' || e.type === 'applySnapshot') serviceApplied = this.hand(i, serviceApplied, e, r.state.currentTerm);
    this.setNode(i, r.role, r.state, before.durable, serviceApplied);
    this.observe(i, before, this.nodes[i]!);
  }

  private observe(i: number, before: NodeSnapshot, after: NodeSnapshot): void {
    if (after.state.currentTerm < before.state.currentTerm) this.flags |= Flag.TermDecreased;
    if (after.state.log !== before.state.log && !extends_(before, after)) this.flags |= after.role === 'leader' && before.role === 'leader' ? Flag.LeaderLogRewritten : Flag.LogTruncated;
    if (after.role !== 'leader') return;
    const t = after.state.currentTerm;
    if (before.role !== 'leader' || before.state.currentTerm !== t) {
      // Past the array: a term beyond maxTerm, which only a recovery continuation reaches (recovery.ts).
      const prior = this.leaders[t] ?? 0;
      if (prior !== 0 && prior !== i + 1) this.flags |= Flag.TwoLeadersInOneTerm;
      if (prior === 0) this.leaders = Array.from({ length: Math.max(this.leaders.length, t + 1) }, (_, k) => (k === t ? i + 1 : this.leaders[k] ?? 0));
      if (this.restarted & (1 << i)) this.flags |= Flag.CrashedNodeRecovered;
    } else if (after.state.commitIndex > before.state.commitIndex && commitsEarlierTerm(before.state.commitIndex, after.state)) {
      this.flags |= Flag.EarlierTermCommitted;
    }
  }

  private recordApply(i: number, index: number, term: number, command: Command, appliedIn: number): void {
    if (this.restarted & (1 << i)) this.flags |= Flag.CrashedNodeRecovered;
    if (index <= this.applied.length) {
      if (this.applied[index - 1] !== command) this.flags |= Flag.DifferentCommandsApplied;
      return;
    }
    if (index !== this.applied.length + 1) return; // a gap cannot happen: applies are in order and start after a snapshot we have recorded
    this.applied = [...this.applied, command];
    this.appliedTerm = [...this.appliedTerm, term];
    this.appliedAt = [...this.appliedAt, appliedIn];
  }

  private recordSnapshot(index: number, data: Uint8Array): void {
    if (data.length !== index) { this.flags |= Flag.SnapshotDisagrees; return; }
    for (let k = 0; k < Math.min(index, this.applied.length); k++) if (this.applied[k] !== data[k]) this.flags |= Flag.SnapshotDisagrees;
  }

  build(): ClusterState {
    const h = this.source.history;
    const historyUnchanged = this.leaders === h.leaders && this.applied === h.applied && this.flags === h.flags && this.restarted === h.restarted;
    return {
      nodes: this.nodes, network: this.network, messageHashes: this.messageHashes, budget: this.budget,
      history: historyUnchanged ? h : { leaders: this.leaders, applied: this.applied, appliedTerm: this.appliedTerm, appliedAt: this.appliedAt, flags: this.flags, restarted: this.restarted },
    };
  }
}

/** Some entry in (from, commitIndex] of the leader's log is of an earlier term than the leader's. */
function commitsEarlierTerm(from: number, s: NodeSnapshot['state']): boolean {
  for (let k = Math.max(from, s.log.snapshotIndex) + 1; k <= s.commitIndex; k++) if (log.termAt(s.log, logIndex(k))! < s.currentTerm) return true;
  return false;
}

/** The new log holds every entry of the old one, at the same index (compacted entries aside). */
function extends_(before: NodeSnapshot, after: NodeSnapshot): boolean {
  const a = before.state.log, b = after.state.log;
  if (log.lastIndex(b) < log.lastIndex(a)) return false;
  for (let k = Math.max(a.snapshotIndex, b.snapshotIndex) + 1; k <= log.lastIndex(a); k++) {
    if (log.termAt(a, logIndex(k)) !== log.termAt(b, logIndex(k))) return false;
  }
  return true;
}
