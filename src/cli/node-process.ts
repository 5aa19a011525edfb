// A `raft node --json` child process seen from its parent: its events, its stderr, its exit, and
// proposals written to its stdin. The cluster view, the end-to-end test and the benchmark drive
// nodes through this one class.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NodeId } from '../machine/index.ts';
import { parseNodeEvent, type NodeEvent } from './node-events.ts';

const RAFT_BIN = fileURLToPath(new URL('../../bin/raft.mjs', import.meta.url));

export interface NodeProcessOptions {
  readonly id: NodeId;
  /** The --peers list, as `raft node` takes it. */
  readonly peers: string;
  readonly dataDir: string;
  readonly clusterId: number;
  /** More `raft node` flags, for example --print-applied or --key-file. */
  readonly flags?: readonly string[];
  readonly onEvent?: (event: NodeEvent) => void;
  readonly onStderr?: (line: string) => void;
  readonly onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export class NodeProcess {
  readonly id: NodeId;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private lines = 0;
  private alive = true;

  constructor(options: NodeProcessOptions) {
    this.id = options.id;
    this.child = spawn(process.execPath, [
      RAFT_BIN, 'node', '--id', String(options.id), '--peers', options.peers, '--data', options.dataDir,
      '--cluster-id', String(options.clusterId), '--json', ...(options.flags ?? []),
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const e = parseNodeEvent(line);
      if (e !== null) options.onEvent?.(e);
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => options.onStderr?.(line));
    this.child.stdin!.on('error', () => {}); // a killed child's stdin breaks; the exit says why
    this.exited = new Promise((done) => this.child.on('exit', (code, signal) => {
      this.alive = false;
      options.onExit?.(code, signal);
      done();
    }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.alive;
  }

  /** Proposes `text` (one line on the node's stdin); returns the line number its ack will carry. */
  propose(text: string): number {
    this.child.stdin!.write(`${text}\n`);
    return ++this.lines;
  }

  /** SIGKILL is a crash: the process gets no chance to flush or close anything. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if the node has not exited within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    const force = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.kill('SIGTERM');
    clearTimeout(force);
  }
}
