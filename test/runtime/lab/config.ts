// The 6.5840 Lab 3 tester's config.go, ported: a cluster of RaftNodes on the in-memory network
// with the lab's persister semantics, the appliers that check apply order and agreement, and the
// checks (checkOneLeader, checkTerms, checkNoLeader, nCommitted, wait, one) with the lab's
// patience. Time is the injected clock, so the same scenario runs in virtual or real time.
import {
  logIndex, nodeId, type Command, type NodeId, type Stepper,
} from '../../../src/machine/index.ts';
import { labTimings, RaftNode, type Applied, type Timings } from '../../../src/runtime/node.ts';
import { MemoryNetwork } from '../../../src/runtime/memory-network.ts';
import { MemoryStorage } from '../../../src/runtime/memory-storage.ts';
import type { Clock } from '../../../src/runtime/clock.ts';
import type { Random } from '../../../src/runtime/random.ts';

export const RAFT_ELECTION_TIMEOUT = 1000;
export const MAX_LOG_SIZE = 2000;
export const SNAPSHOT_INTERVAL = 10;
const TEST_TIME_LIMIT = 120_000;

/** What a scenario gets: the clock it runs on and the seed's random stream. */
export interface LabEnv {
  readonly clock: Clock;
  readonly random: Random;
  /** A variant of the machine or the timings, to show that the checks catch a faulty Raft. */
  readonly stepper?: Stepper;
  readonly timings?: Timings;
  /** The config the scenario made, so the runner can abort on an apply error and clean up. */
  lab?: Lab;
}

export class LabFailure extends Error {
  override readonly name = 'LabFailure';
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The tester's snapshot: the index it covers and every command through it (entry 0 is null). */
const encodeSnapshot = (index: number, xlog: readonly Command[]): Uint8Array => utf8.encode(JSON.stringify({ index, xlog }));
function decodeSnapshot(data: Uint8Array): { index: number; xlog: Command[] } {
  const v: unknown = JSON.parse(fromUtf8.decode(data));
  if (typeof v !== 'object' || v === null || !('index' in v) || !('xlog' in v) || typeof v.index !== 'number' || !Array.isArray(v.xlog)) {
    throw new Error('snapshot does not decode');
  }
  return { index: v.index, xlog: v.xlog };
}

export class Lab {
  readonly n: number;
  readonly rand: Random;
  readonly net: MemoryNetwork;
  readonly rafts: (RaftNode | null)[];
  readonly saved: (MemoryStorage | null)[];
  readonly connected: boolean[];
  /** What each server has applied, by index: kept across its restarts, as the lab keeps it. */
  readonly logs: Map<number, Command>[];
  readonly lastApplied: number[];
  /** The first apply error: the lab's applier exits the whole test binary on it. */
  fatal: LabFailure | null = null;
  private readonly snapshot: boolean;
  private readonly ids: NodeId[];
  private readonly start: number;
  private maxIndex = 0;
  private t0 = 0;
  private rpcs0 = 0;
  private bytes0 = 0;
  private maxIndex0 = 0;

  constructor(private readonly env: LabEnv, servers: number, unreliable: boolean, snapshot: boolean) {
    this.n = servers;
    this.snapshot = snapshot;
    this.rand = env.random.fork();
    this.net = new MemoryNetwork(env.clock, env.random.fork());
    this.ids = Array.from({ length: servers }, (_, i) => nodeId(i + 1));
    this.rafts = Array.from({ length: servers }, () => null);
    this.saved = Array.from({ length: servers }, () => null);
    this.connected = Array.from({ length: servers }, () => false);
    this.logs = Array.from({ length: servers }, () => new Map());
    this.lastApplied = Array.from({ length: servers }, () => 0);
    this.start = env.clock.now();
    env.lab = this;
    this.setUnreliable(unreliable);
    for (let i = 0; i < servers; i++) this.start1(i);
    for (let i = 0; i < servers; i++) this.connect(i);
  }

  get now(): number {
    return this.env.clock.now();
  }

  sleep(ms: number): Promise<void> {
    return this.env.clock.sleep(ms);
  }

  /** t.Fatalf: fails the test, also from a concurrent client (the runner aborts on `fatal`). */
  fail(message: string): never {
    const failure = new LabFailure(message);
    this.fatal ??= failure;
    throw failure;
  }

  /** A concurrent client (the lab's goroutine): its failure fails the test even if nobody awaits it. */
  spawn<T>(client: () => Promise<T>): Promise<T> {
    const p = client();
    p.catch((error: unknown) => { this.fatal ??= error instanceof LabFailure ? error : new LabFailure(String(error)); });
    return p;
  }

  // ---- servers ----------------------------------------------------------------------------

  /** Kills server i; its persister is copied first, so what the killed instance saves is lost. */
  crash1(i: number): void {
    this.disconnect(i);
    this.net.crash(this.ids[i]!);
    const saved = this.saved[i] ?? null;
    if (saved !== null) this.saved[i] = saved.copy();
    this.rafts[i]?.kill();
    this.rafts[i] = null;
  }

  /** Starts (or restarts) server i from its persister; it stays disconnected until connect(i). */
  start1(i: number): void {
    this.crash1(i);
    const transport = this.net.attach(this.ids[i]!);
    this.lastApplied[i] = 0;
    const saved = this.saved[i] ?? null;
    if (saved !== null) {
      const snapshot = saved.load()?.snapshot;
      // The lab's tester ingests the persisted snapshot itself, as a service would on start-up.
      if (snapshot !== undefined && snapshot.length > 0) {
        const err = this.ingestSnap(i, snapshot, -1);
        if (err !== null) this.fail(err);
      }
    } else {
      this.saved[i] = new MemoryStorage();
    }
    let raft: RaftNode | null = null;
    const apply = this.snapshot
      ? (m: Applied) => this.applierSnap(i, raft!, m)
      : (m: Applied) => this.applier(i, m);
    raft = new RaftNode(this.ids[i]!, this.ids.filter((_, j) => j !== i), transport, this.saved[i]!, {
      apply, clock: this.env.clock, random: this.env.random.fork(), timings: this.env.timings ?? labTimings,
      ...(this.env.stepper === undefined ? {} : { stepper: this.env.stepper }),
    });
    this.rafts[i] = raft;
  }

  connect(i: number): void {
    this.connected[i] = true;
    this.net.connect(this.ids[i]!);
  }

  disconnect(i: number): void {
    this.connected[i] = false;
    this.net.disconnect(this.ids[i]!);
  }

  setUnreliable(unreliable: boolean): void {
    this.net.setReliable(!unreliable);
  }

  setLongReordering(on: boolean): void {
    this.net.setLongReordering(on);
  }

  rpcCount(i: number): number {
    return this.net.rpcCount(this.ids[i]!);
  }

  rpcTotal(): number {
    return this.net.rpcTotal();
  }

  bytesTotal(): number {
    return this.net.bytesTotal();
  }

  /** The largest persisted raft state (snapshot excluded), crashed servers included. */
  logSize(): number {
    return Math.max(0, ...this.saved.map((s) => s?.size() ?? 0));
  }

  cleanup(): void {
    for (let i = 0; i < this.n; i++) {
      this.rafts[i]?.kill();
      this.rafts[i] = null;
    }
  }

  // ---- appliers ---------------------------------------------------------------------------

  private checkLogs(i: number, index: number, command: Command): { err: string | null; prevok: boolean } {
    let err: string | null = null;
    for (let j = 0; j < this.logs.length; j++) {
      const old = this.logs[j]!.get(index);
      if (this.logs[j]!.has(index) && old !== command) {
        err = `commit index=${index} server=${i} ${String(command)} != server=${j} ${String(old)}`;
      }
    }
    const prevok = this.logs[i]!.has(index - 1);
    this.logs[i]!.set(index, command);
    if (index > this.maxIndex) this.maxIndex = index;
    return { err, prevok };
  }

  private applyError(message: string): void {
    this.fatal ??= new LabFailure(`apply error: ${message}`);
  }

  /** 3A–3C: snapshots are ignored; an index whose predecessor was never applied is an error. */
  private applier(i: number, m: Applied): void {
    if (m.type !== 'command') return;
    const { err, prevok } = this.checkLogs(i, m.index, m.command);
    if (err !== null) this.applyError(err);
    else if (m.index > 1 && !prevok) this.applyError(`server ${i} apply out of order ${m.index}`);
  }

  /** 3D: strictly sequential applies; a snapshot every SNAPSHOT_INTERVAL commands, from inside apply. */
  private applierSnap(i: number, raft: RaftNode, m: Applied): void {
    if (m.type === 'snapshot') {
      const err = this.ingestSnap(i, m.data, m.index);
      if (err !== null) this.applyError(err);
      return;
    }
    if (m.index !== this.lastApplied[i]! + 1) {
      this.applyError(`server ${i} apply out of order, expected index ${this.lastApplied[i]! + 1}, got ${m.index}`);
      return;
    }
    const { err, prevok } = this.checkLogs(i, m.index, m.command);
    if (err !== null) return this.applyError(err);
    if (m.index > 1 && !prevok) return this.applyError(`server ${i} apply out of order ${m.index}`);
    this.lastApplied[i] = m.index;
    if ((m.index + 1) % SNAPSHOT_INTERVAL === 0) {
      const xlog: Command[] = [];
      for (let j = 0; j <= m.index; j++) xlog.push(this.logs[i]!.get(j) ?? null);
      raft.snapshot(logIndex(m.index), encodeSnapshot(m.index, xlog));
    }
  }

  private ingestSnap(i: number, data: Uint8Array, index: number): string | null {
    let decoded: { index: number; xlog: Command[] };
    try {
      decoded = decodeSnapshot(data);
    } catch {
      return `server ${i} snapshot decode error`;
    }
    if (index !== -1 && index !== decoded.index) return `server ${i} snapshot doesn't match m.SnapshotIndex`;
    this.logs[i] = new Map(decoded.xlog.map((c, j) => [j, c]));
    this.lastApplied[i] = decoded.index;
    return null;
  }

  // ---- checks -----------------------------------------------------------------------------

  private checkTimeout(): void {
    if (this.now - this.start > TEST_TIME_LIMIT) this.fail('test took longer than 120 seconds');
  }

  /** Returns the leader of the highest term among connected servers; >1 leader in a term is fatal. */
  async checkOneLeader(): Promise<number> {
    for (let iters = 0; iters < 10; iters++) {
      await this.sleep(450 + this.rand.int(100));
      const leaders = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        const raft = this.rafts[i] ?? null;
        if (!this.connected[i] || raft === null) continue;
        const { term, isLeader } = raft.getState();
        if (isLeader) leaders.set(term, [...(leaders.get(term) ?? []), i]);
      }
      let lastTermWithLeader = -1;
      for (const [term, ls] of leaders) {
        if (ls.length > 1) this.fail(`term ${term} has ${ls.length} (>1) leaders`);
        if (term > lastTermWithLeader) lastTermWithLeader = term;
      }
      if (leaders.size !== 0) return leaders.get(lastTermWithLeader)![0]!;
    }
    return this.fail('expected one leader, got none');
  }

  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      const raft = this.rafts[i] ?? null;
      if (!this.connected[i] || raft === null) continue;
      const xterm = raft.getState().term;
      if (term === -1) term = xterm;
      else if (term !== xterm) this.fail('servers disagree on term');
    }
    return term;
  }

  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (this.connected[i] && this.rafts[i]?.getState().isLeader === true) {
        this.fail(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
  }

  /** How many servers think index is committed, and the command there; they must agree. */
  nCommitted(index: number): { count: number; command: Command } {
    if (this.fatal !== null) throw this.fatal;
    let count = 0;
    let command: Command = undefined;
    for (let i = 0; i < this.n; i++) {
      if (!this.logs[i]!.has(index)) continue;
      const cmd1 = this.logs[i]!.get(index);
      if (count > 0 && command !== cmd1) this.fail(`committed values do not match: index ${index}, ${String(command)}, ${String(cmd1)}`);
      count++;
      command = cmd1;
    }
    return { count, command };
  }

  /** Waits for at least n servers to commit index; -1 if a server moved past startTerm. */
  async wait(index: number, n: number, startTerm: number): Promise<Command> {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      if (this.nCommitted(index).count >= n) break;
      await this.sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (const r of this.rafts) if (r !== null && r.getState().term > startTerm) return -1;
      }
    }
    const { count, command } = this.nCommitted(index);
    if (count < n) this.fail(`only ${count} decided for index ${index}; wanted ${n}`);
    return command;
  }

  /**
   * Submits cmd to a leader until it is committed by expectedServers, within 10 s; with retry
   * false, the first leader that accepts it must commit it within 2 s.
   */
  async one(cmd: Command, expectedServers: number, retry: boolean): Promise<number> {
    const t0 = this.now;
    let starts = 0;
    while (this.now - t0 < 10_000) {
      this.checkTimeout();
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        const raft = this.rafts[starts] ?? null;
        if (this.connected[starts] && raft !== null) {
          const r = raft.start(cmd);
          if (r.isLeader) {
            index = r.index;
            break;
          }
        }
      }
      if (index !== -1) {
        const t1 = this.now;
        while (this.now - t1 < 2000) {
          const { count, command } = this.nCommitted(index);
          if (count > 0 && count >= expectedServers && command === cmd) return index;
          await this.sleep(20);
        }
        if (!retry) this.fail(`one(${String(cmd)}) failed to reach agreement`);
      } else {
        await this.sleep(50);
      }
    }
    return this.fail(`one(${String(cmd)}) failed to reach agreement`);
  }

  begin(): void {
    this.t0 = this.now;
    this.rpcs0 = this.rpcTotal();
    this.bytes0 = this.bytesTotal();
    this.maxIndex0 = this.maxIndex;
  }

  /** The lab's "Passed" line: seconds, peers, RPCs, bytes, agreements. */
  end(): { seconds: number; peers: number; rpcs: number; bytes: number; agreements: number } {
    this.checkTimeout();
    if (this.fatal !== null) throw this.fatal;
    return {
      seconds: (this.now - this.t0) / 1000,
      peers: this.n,
      rpcs: this.rpcTotal() - this.rpcs0,
      bytes: this.bytesTotal() - this.bytes0,
      agreements: this.maxIndex - this.maxIndex0,
    };
  }

  /** The lab's randstring(n): n base64 characters. */
  randString(n: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.rand.int(64)];
    return s;
  }
}

