// A cluster of `raft node` processes on loopback for the end-to-end test and the benchmark: free
// ports, temporary data directories, each node's latest status and applied log, and waiting on
// conditions (never on durations).
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeId, type NodeId } from '../../src/machine/index.ts';
import type { NodeEvent } from '../../src/cli/node-events.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';

type Status = Extract<NodeEvent, { event: 'status' }>;

export interface LocalNode {
  readonly id: NodeId;
  process: NodeProcess | null;
  status: Status | null;
  /** What this incarnation applied, by index. A restarted node applies its log again from index 1. */
  applied: Map<number, unknown>;
  stderr: string[];
}

export async function freePorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<dgram.Socket>((ok) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => ok(s));
  })));
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((done) => s.close(() => done()))));
  return ports;
}

/** A base port with the n - 1 ports after it free too (checked by binding them), as `raft cluster --base-port` needs. */
export async function freeRun(n: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const sockets: dgram.Socket[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const s = dgram.createSocket('udp4');
        sockets.push(s);
        await new Promise<void>((ok, fail) => { s.once('error', fail); s.bind(base + i, '127.0.0.1', () => ok()); });
      }
      return base;
    } catch {
      // taken: try another run
    } finally {
      sockets.forEach((s) => { try { s.close(); } catch { /* never bound */ } });
    }
  }
}

/** Writes a new random cluster key to `path` (mode 600) and returns the `raft node` flags that use it. */
export async function keyFileFlags(path: string): Promise<string[]> {
  await writeFile(path, randomBytes(32).toString('hex'), { mode: 0o600 });
  return ['--key-file', path];
}

export class LocalCluster {
  readonly nodes: LocalNode[];
  private readonly listeners = new Set<(node: LocalNode, event: NodeEvent) => void>();

  private constructor(readonly dir: string, private readonly peers: string, size: number, private readonly flags: readonly string[]) {
    this.nodes = Array.from({ length: size }, (_, i) => ({ id: nodeId(i + 1), process: null, status: null, applied: new Map(), stderr: [] }));
  }

  /** Keyed as `raft cluster` keys its nodes, unless `flags` choose a key or --insecure-no-auth. */
  static async start(size: number, flags: readonly string[] = []): Promise<LocalCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'raft-cluster-'));
    const ports = await freePorts(size);
    const peers = ports.map((p, i) => `${i + 1}=127.0.0.1:${p}`).join(',');
    const auth = flags.includes('--key-file') || flags.includes('--insecure-no-auth') ? [] : await keyFileFlags(join(dir, 'cluster.key'));
    const cluster = new LocalCluster(dir, peers, size, [...auth, ...flags]);
    cluster.nodes.forEach((n) => cluster.launch(n));
    return cluster;
  }

  /** Calls `listener` with every event of every node until the returned function is called. */
  listen(listener: (node: LocalNode, event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  launch(node: LocalNode): void {
    node.status = null;
    node.applied = new Map();
    const p: NodeProcess = new NodeProcess({
      id: node.id, peers: this.peers, dataDir: join(this.dir, String(node.id)), clusterId: 4242, flags: this.flags,
      onEvent: (e) => {
        if (node.process !== p) return;
        if (e.event === 'status') node.status = e;
        if (e.event === 'applied') node.applied.set(e.index, e.command);
        for (const l of this.listeners) l(node, e);
      },
      onStderr: (line) => node.stderr.push(line),
    });
    node.process = p;
  }

  async crash(node: LocalNode): Promise<void> {
    await node.process?.kill('SIGKILL');
    node.process = null;
    node.status = null;
  }

  /** Where `node` listens. */
  address(node: LocalNode): { host: string; port: number } {
    const [host, port] = this.peers.split(',')[node.id - 1]!.split('=')[1]!.split(':');
    return { host: host!, port: Number(port) };
  }

  leader(): LocalNode | undefined {
    return this.nodes
      .filter((n) => n.process?.running && n.status?.role === 'leader')
      .sort((a, b) => b.status!.term - a.status!.term)[0];
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.process?.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls `predicate` until it holds; fails with `what` after a generous timeout. */
export async function until<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = predicate();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
