// A Raft node: the machine from src/machine on timers, a transport and a storage. It steps the
// machine and carries out the effects in the order the machine gives them; a `persist` holds back
// everything after it until the state is durable. As leader it writes its new entries in parallel
// with sending them (`persistInParallel`, PW.1) and tells the machine when they land, and it
// tells followers of each new commitIndex at once (CP.1); it probes a follower whose log is not
// known to match with one AppendEntries at a time (FC.1), and bounds what is unacknowledged (FC.2)
// and the bytes of each AppendEntries (FC.3).
import {
  deriveStepper, initialNode, jsonCommands, log, logIndex,
  type AppendEntries, type Command, type CommandCodec, type Effect, type Entry, type LogIndex, type Message, type NodeId, type NodeSnapshot, type PersistentState, type RaftEvent, type SnapshotData,
  type Stepper, type Term,
} from '../machine/index.ts';
import { realClock, type Cancel, type Clock } from './clock.ts';
import { varintBytes } from './message-size.ts';
import { systemRandom, type Random } from './random.ts';
import type { Storage } from './storage.ts';
import type { Transport } from './transport.ts';

/** A node's timers, in milliseconds of its {@link Clock}; the heartbeat interval should be well below the least election timeout. */
export interface Timings {
  /** Each reset of the election timer draws a timeout uniformly from [min, max). */
  readonly electionTimeoutMs: { readonly min: number; readonly max: number };
  /** A leader's idle AppendEntries interval. */
  readonly heartbeatIntervalMs: number;
}

/**
 * The lab's rules: at most 10 heartbeats a second, and an election timeout well above the paper's
 * 150–300 ms so that a new leader still comes within 5 s when 10 % of the messages are lost.
 */
export const labTimings: Timings = { electionTimeoutMs: { min: 400, max: 800 }, heartbeatIntervalMs: 100 };

/** What the service is handed, strictly in log order. */
export type Applied =
  | { readonly type: 'command'; readonly index: LogIndex; readonly term: Term; readonly command: Command }
  | { readonly type: 'snapshot'; readonly index: LogIndex; readonly term: Term; readonly data: SnapshotData };

/**
 * How a {@link RaftNode} is embedded: the service's apply callback (required) and what the host may
 * inject instead of the defaults (real clock, system randomness, {@link labTimings}, JSON commands).
 */
export interface RaftNodeOptions {
  /**
   * Receives every applied command and snapshot, in order, without gaps or repeats. It may call
   * start() and snapshot() on this node.
   */
  readonly apply: (applied: Applied) => void;
  readonly timings?: Timings;
  readonly clock?: Clock;
  readonly random?: Random;
  /**
   * A storage failure kills the node: nothing after the failed persist is sent or applied, since
   * the state it depends on may not be durable. The error goes here, once; by default it is rethrown.
   */
  readonly onFatal?: (error: unknown) => void;
  /** The machine; a variant (for example a model checker's mutant) may be injected. */
  readonly stepper?: Stepper;
  /**
   * The largest command start() accepts, in bytes as `commands` encodes it. Default: the
   * transport's maxCommandBytes (unlimited if it has none); more than that is refused here.
   */
  readonly maxCommandBytes?: number;
  /** How commands are measured against maxCommandBytes; the transport's and storage's codec (default JSON). */
  readonly commands?: CommandCodec;
  /**
   * As leader, the most bytes of entries one AppendEntries carries (FC.3), an entry counted as
   * it takes on the wire: its term and its command as `commands` encodes it. Default 1 MiB;
   * a single larger entry still goes, alone.
   */
  readonly maxAppendBytes?: number;
}

/** start() refused a command above maxCommandBytes; nothing was proposed. */
export class CommandTooLargeError extends RangeError {
  override name = 'CommandTooLargeError';
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`command of ${bytes} bytes is larger than the maximum of ${maxBytes} (maxCommandBytes); it was not proposed`);
  }
}

/**
 * What {@link RaftNode.start} answers, as the lab's Start() does: if `isLeader`, the index the command
 * will have if it is ever committed and the term it was proposed in (committed at that index with
 * another term means it was lost); otherwise nothing was proposed.
 */
export interface StartResult {
  readonly index: LogIndex;
  readonly term: Term;
  readonly isLeader: boolean;
}

type Job =
  | Exclude<Effect, { type: 'persist' | 'persistInParallel' | 'resetElectionTimer' | 'resetHeartbeatTimer' }>
  | { readonly type: 'persist'; readonly version: number }
  | { readonly type: 'persistInParallel'; readonly version: number; readonly landed: RaftEvent };

const defaultStepper = deriveStepper();

/** Unacknowledged AppendEntries per follower (FC.2): etcd's default MaxInflightMsgs. */
const MAX_INFLIGHT_APPENDS = 256;
/** Bytes of entries per AppendEntries (FC.3): etcd's default MaxSizePerMsg. */
const MAX_APPEND_BYTES = 1024 * 1024;

/**
 * A Raft node: the machine of `src/machine` on a {@link Clock}, a {@link Transport} and a
 * {@link Storage}, with the 6.5840 lab's interface (start, getState, snapshot, kill). It carries out
 * the machine's effects in order and sends or applies nothing that depends on state not yet durable.
 * `peers` are the other members; it boots in a later task, after loading what `storage` holds.
 */
export class RaftNode {
  readonly id: NodeId;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly timings: Timings;
  private readonly step: Stepper;
  private readonly maxCommandBytes: number;
  private readonly commands: CommandCodec;
  private node: NodeSnapshot;
  private booted = false;
  private dead = false;

  /** Effects waiting to run, in order. Timer effects never wait: they only concern timing. */
  private readonly jobs: Job[] = [];
  private head = 0;
  private draining = false;
  /** A save is under way. Saves run one at a time, each of the newest state. */
  private saving = false;
  /** Each step that asks for a persist gets a version; a save of a newer state covers it. */
  private version = 0;
  /** The newest version some job waits for or must report. */
  private wanted = 0;
  private durableVersion = 0;
  /** LogDurable events to step once their version is durable, oldest first. */
  private readonly landings: { readonly version: number; readonly event: RaftEvent }[] = [];

  private readonly entrySizes = new WeakMap<Entry, number>();

  /** Commands accepted by start() and not yet stepped: they go to the machine as one Propose. */
  private proposals: Command[] = [];
  private cancelFlush: Cancel | null = null;
  /** apply() is being handed entries: what it proposes is flushed when they are all handed over. */
  private applying = false;

  private electionDeadline = 0;
  private electionTimer: { at: number; cancel: Cancel } | null = null;
  private heartbeatTimer: Cancel | null = null;

  constructor(
    id: NodeId,
    peers: readonly NodeId[],
    private readonly transport: Transport,
    private readonly storage: Storage,
    private readonly options: RaftNodeOptions,
  ) {
    this.id = id;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? systemRandom;
    this.timings = options.timings ?? labTimings;
    this.step = options.stepper ?? defaultStepper;
    const carried = transport.maxCommandBytes ?? Infinity;
    if (options.maxCommandBytes !== undefined && options.maxCommandBytes > carried) {
      throw new RangeError(`maxCommandBytes ${options.maxCommandBytes} is more than the ${carried} bytes the transport carries in one `
        + 'entry; a larger command could never be replicated');
    }
    this.maxCommandBytes = options.maxCommandBytes ?? carried;
    this.commands = options.commands ?? jsonCommands;
    const maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    if (!(maxAppendBytes > 0)) throw new RangeError(`maxAppendBytes must be a positive number of bytes, got ${maxAppendBytes}`);
    this.node = initialNode({
      id, members: [id, ...peers].sort((a, b) => a - b),
      leaderWritesInParallel: true, announceCommits: true, probeUntilMatch: true, maxInflightAppends: MAX_INFLIGHT_APPENDS,
      maxAppendBytes: { max: maxAppendBytes, entryBytes: (entry) => this.entryBytes(entry) },
    });
    transport.onMessage((message) => this.deliver(message));
    // Boot in a later task, so the service's apply handler never runs inside this constructor.
    const loaded = storage.load();
    if (loaded instanceof Promise) loaded.then((persisted) => this.boot(persisted), (error: unknown) => this.fail(error));
    else this.clock.schedule(0, () => this.boot(loaded));
  }

  /**
   * Proposes `command`. If this node is leader, it returns the index the command will have if it
   * is ever committed; commands started in the same task travel as one batch. Throws
   * CommandTooLargeError, whatever the role, for a command above maxCommandBytes.
   */
  start(command: Command): StartResult {
    if (this.maxCommandBytes !== Infinity) {
      const bytes = this.commands.encode(command).length;
      if (bytes > this.maxCommandBytes) throw new CommandTooLargeError(bytes, this.maxCommandBytes);
    }
    const s = this.node.state;
    const index = logIndex(log.lastIndex(s.log) + this.proposals.length + 1);
    if (!this.booted || this.dead || this.node.role !== 'leader') return { index, term: s.currentTerm, isLeader: false };
    this.proposals.push(command);
    // From inside apply(), the flush that follows the applied entries takes it: no task to schedule and cancel.
    if (!this.applying) this.cancelFlush ??= this.clock.schedule(0, () => { this.cancelFlush = null; this.flushProposals(); });
    return { index, term: s.currentTerm, isLeader: true };
  }

  /**
   * FC.3's measure: what `entry` takes on the wire. Entries are shared by every version of the
   * log, so each is encoded once, not at every AppendEntries that carries it.
   */
  private entryBytes(entry: Entry): number {
    let bytes = this.entrySizes.get(entry);
    if (bytes === undefined) {
      const command = this.commands.encode(entry.command).length;
      bytes = varintBytes(entry.term) + varintBytes(command) + command;
      this.entrySizes.set(entry, bytes);
    }
    return bytes;
  }

  /** The current term, and whether this node believes it is leader (a dead node never is); it may be a stale leader. */
  getState(): { readonly term: Term; readonly isLeader: boolean } {
    return { term: this.node.state.currentTerm, isLeader: !this.dead && this.node.role === 'leader' };
  }

  /** The service has applied through `index` and hands over its state; the log before it goes. */
  snapshot(index: LogIndex, data: SnapshotData): void {
    this.deliver({ type: 'Snapshot', index, data });
  }

  /** Stops the node for good: no more timers, messages, saves or applies. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.electionTimer?.cancel();
    this.heartbeatTimer?.();
    this.cancelFlush?.();
    this.proposals = [];
    this.transport.close();
  }

  private boot(persisted: PersistentState | null): void {
    if (this.dead) return;
    this.booted = true;
    this.resetElectionTimer();
    if (persisted !== null) this.stepAndRun({ type: 'Restart', persisted });
  }

  private deliver(event: RaftEvent): void {
    if (this.dead || !this.booted) return;
    // Proposals go first: start() promised them the indices that follow the log as it was.
    this.flushProposals();
    this.stepAndRun(event);
  }

  private flushProposals(): void {
    if (this.proposals.length === 0) return;
    const commands = this.proposals;
    this.proposals = [];
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.stepAndRun({ type: 'Propose', commands });
  }

  private stepAndRun(event: RaftEvent): void {
    const result = this.step(this.node, event);
    this.node = result.role === this.node.role && result.state === this.node.state ? this.node : { role: result.role, state: result.state };
    let version: number | undefined;
    // A switch, not ts-pattern, on this path and in run(): matching cost a third of the CPU per
    // operation in bench:memory. `never` keeps both exhaustive.
    for (const effect of result.effects) {
      switch (effect.type) {
        case 'resetElectionTimer': this.resetElectionTimer(); break;
        case 'resetHeartbeatTimer': this.resetHeartbeatTimer(); break;
        case 'persist': this.jobs.push({ type: 'persist', version: (version ??= ++this.version) }); break;
        case 'persistInParallel':
          this.jobs.push({ type: 'persistInParallel', version: (version ??= ++this.version), landed: { type: 'LogDurable', term: effect.term, index: effect.index } });
          break;
        case 'send': case 'applyEntries': case 'applySnapshot': this.jobs.push(effect); break;
        default: unreachable(effect);
      }
    }
    this.runJobs();
  }

  private runJobs(): void {
    if (this.draining) return; // a step from inside apply(): the loop below picks its jobs up
    this.draining = true;
    try {
      while (this.head < this.jobs.length && !this.dead) {
        const job = this.jobs[this.head]!;
        // A persist holds back every later job until its state is durable.
        if (job.type === 'persist' && !this.isDurable(job.version)) break;
        this.head++;
        if (job.type === 'send' && this.isSubsumed(job.message)) continue;
        this.run(job);
      }
    } finally {
      this.draining = false;
    }
    if (this.head === this.jobs.length) {
      this.jobs.length = 0;
      this.head = 0;
    }
    // PW.1's write starts once the AppendEntries queued with it are out: a storage that writes
    // synchronously would otherwise hold them back for its fsync, and the followers' writes
    // would no longer overlap the leader's.
    const newest = this.landings.at(-1);
    if (newest !== undefined && !this.dead) {
      this.request(newest.version);
      this.reportLandings();
    }
  }

  /**
   * An AppendEntries without entries (a CP.1 announcement, a heartbeat) is left out when a later
   * one waiting in the queue, to the same follower in the same term, tells it as much: it starts
   * no earlier and carries a commitIndex as high. If the follower accepts that one, its log
   * matches ours there, so it would have accepted this one, which teaches it nothing more; if it
   * refuses, this one is as good as lost, which Raft tolerates. At one request in flight, the
   * entries the service proposes while applying a commit carry that commit: one AppendEntries per
   * follower per command, not two.
   */
  private isSubsumed(message: Message): boolean {
    if (message.type !== 'AppendEntries' || message.entries.length > 0) return false;
    for (let i = this.head; i < this.jobs.length; i++) {
      const job = this.jobs[i]!;
      if (job.type === 'send' && job.message.type === 'AppendEntries' && subsumes(job.message, message)) return true;
    }
    return false;
  }

  private run(job: Job): void {
    switch (job.type) {
      case 'persist': return; // durable already: runJobs waited for it
      case 'persistInParallel': // written once the jobs queued now have run (runJobs)
        this.landings.push({ version: job.version, event: job.landed });
        return;
      case 'send':
        try {
          return this.transport.send(job.message);
        } catch (error) {
          return this.fail(error);
        }
      case 'applyEntries': {
        const { first, entries } = job;
        this.applying = true;
        try {
          for (let i = 0; i < entries.length && !this.dead; i++) {
            const entry = entries[i]!;
            this.options.apply({ type: 'command', index: logIndex(first + i), term: entry.term, command: entry.command });
          }
        } finally {
          this.applying = false;
        }
        // What the service proposed in response goes now, ahead of the jobs that follow (a CP.1
        // announcement of this very commit), so its AppendEntries can stand in for them.
        return this.flushProposals();
      }
      case 'applySnapshot': return this.options.apply({ type: 'snapshot', index: job.index, term: job.term, data: job.data });
      default: return unreachable(job);
    }
  }

  /** Whether `version` is durable; if not, a save that covers it is asked for. */
  private isDurable(version: number): boolean {
    this.request(version);
    return version <= this.durableVersion;
  }

  /** Makes `version` durable: now, or after the save under way (which may be of an older state). */
  private request(version: number): void {
    if (version <= this.durableVersion) return;
    this.wanted = Math.max(this.wanted, version);
    if (!this.saving) this.save();
  }

  /** Saves the newest state, which covers every persist asked for up to now. */
  private save(): void {
    const covers = this.version;
    const s = this.node.state;
    let saved: ReturnType<Storage['save']>;
    try {
      saved = this.storage.save({ currentTerm: s.currentTerm, votedFor: s.votedFor, log: s.log, snapshot: s.snapshot });
    } catch (error) {
      return this.fail(error);
    }
    if (!(saved instanceof Promise)) {
      this.durableVersion = covers;
      return;
    }
    this.saving = true;
    saved.then(() => {
      this.saving = false;
      this.durableVersion = covers;
      if (this.dead) return;
      if (this.wanted > covers) this.save();
      this.reportLandings();
      this.runJobs();
    }, (error: unknown) => this.fail(error));
  }

  /** Steps LogDurable for each parallel write that has landed: the leader may now count itself. */
  private reportLandings(): void {
    while (this.landings.length > 0 && this.landings[0]!.version <= this.durableVersion && !this.dead) {
      this.stepAndRun(this.landings.shift()!.event);
    }
  }

  /**
   * The election timer is always armed (a leader ignores its expiry), so a leader that steps down
   * without hearing from a new one still times out. Resets only move a deadline; the one armed
   * callback re-arms itself when it fires early, so heartbeats cost no timer churn.
   */
  private resetElectionTimer(): void {
    const { min, max } = this.timings.electionTimeoutMs;
    this.electionDeadline = this.clock.now() + min + this.random.next() * (max - min);
    if (this.electionTimer !== null && this.electionTimer.at <= this.electionDeadline) return;
    this.electionTimer?.cancel();
    this.armElectionTimer();
  }

  private armElectionTimer(): void {
    const at = this.electionDeadline;
    this.electionTimer = { at, cancel: this.clock.schedule(at - this.clock.now(), () => this.onElectionTimer()) };
  }

  private onElectionTimer(): void {
    this.electionTimer = null;
    if (this.dead) return;
    if (this.clock.now() < this.electionDeadline) {
      this.armElectionTimer();
      return;
    }
    this.resetElectionTimer();
    this.deliver({ type: 'ElectionTimeout' });
  }

  private resetHeartbeatTimer(): void {
    this.heartbeatTimer?.();
    this.heartbeatTimer = this.clock.schedule(this.timings.heartbeatIntervalMs, () => {
      this.heartbeatTimer = null;
      this.deliver({ type: 'HeartbeatDue' });
    });
  }

  private fail(error: unknown): void {
    this.kill();
    if (this.options.onFatal !== undefined) this.options.onFatal(error);
    else queueMicrotask(() => { throw error; });
  }
}

/** `later` tells its follower all that `empty`, an AppendEntries without entries, does. */
export const subsumes = (later: AppendEntries, empty: AppendEntries): boolean =>
  later.to === empty.to && later.term === empty.term && later.prevLogIndex >= empty.prevLogIndex && later.leaderCommit >= empty.leaderCommit;

function unreachable(x: never): never {
  throw new Error(`unhandled ${JSON.stringify(x)}`);
}
