// The commands that start node processes (the UDP benches and `raft cluster`), each started as a
// user starts it and stopped by SIGINT or SIGTERM: once it has exited, no process it started is
// left. And `raft cluster` without --data writes nothing where it runs and says where its data is
// in its first line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../support/local-cluster.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const hasProc = existsSync('/proc/self/stat');

/** Every process below `pid` now, from /proc: children, their children, and so on. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone between the listing and the read
    }
  }
  const found: number[] = [];
  const walk = (p: number) => { for (const c of parents.get(p) ?? []) { found.push(c); walk(c); } };
  walk(pid);
  return found;
}

/** What a process is, for the message: its state letter (Z: a zombie) and command line. */
function describe(pid: number): string {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
    return `${pid} [${state}] ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
  } catch {
    return `${pid} (gone)`;
  }
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

interface Started { child: ChildProcess; lines: string[]; line(re: RegExp): Promise<string>; exited: Promise<number | null>; readonly running: boolean }

function start(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Started {
  const child = spawn(command, args, { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; done: (l: string) => void }[] = [];
  const seen = (l: string) => {
    lines.push(l);
    for (const w of [...waiters]) if (w.re.test(l)) { waiters.splice(waiters.indexOf(w), 1); w.done(l); }
  };
  createInterface({ input: child.stdout! }).on('line', seen);
  createInterface({ input: child.stderr! }).on('line', seen);
  let running = true;
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => { running = false; done(code); }));
  const line = (re: RegExp) => new Promise<string>((done, fail) => {
    const old = lines.find((l) => re.test(l));
    if (old !== undefined) return done(old);
    waiters.push({ re, done });
    void exited.then(() => fail(new Error(`exited before printing ${re}:\n${lines.join('\n')}`)));
  });
  return { child, lines, line, exited, get running() { return running; } };
}

const isRaftNode = (pid: number) => { try { return / node --id /.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')); } catch { return false; } };

/**
 * Waits for `ready`, sends `signal` to the command, and checks that it stopped its `raft node`
 * processes before it exited (a node orphaned by its parent's death also dies, later, of a broken
 * stdout pipe once it has something to print: only "gone when the command has exited" tells a
 * clean stop from that), and that nothing else it started outlives it.
 */
async function stopsClean(what: string, s: Started, ready: RegExp, nodes: number, signal: NodeJS.Signals): Promise<void> {
  await s.line(ready);
  const started = descendants(s.child.pid!);
  const raftNodes = started.filter(isRaftNode);
  assert.ok(raftNodes.length >= nodes, `${what}: ${raftNodes.length} raft node processes below it, want at least ${nodes}`);
  s.child.kill(signal);
  await s.exited;
  const orphaned = raftNodes.filter(alive);
  assert.deepEqual(orphaned.map(describe), [], `${what} exited on ${signal} before stopping its nodes\n${s.lines.join('\n')}`);
  // A helper that tsx's compiler may start (esbuild's service) leaves when its parent's pipe
  // closes, a moment after the parent: a process still here after 5 s was left behind.
  const deadline = Date.now() + 5000;
  while (started.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const left = started.filter(alive);
  assert.deepEqual(left.map(describe), [], `${what} left ${left.length} process(es) after ${signal}\n${s.lines.join('\n')}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} stops the UDP benches and raft cluster with every process they started`, { skip: !hasProc && 'needs /proc', timeout: 120_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'raft-signals-'));
    let dataDir: string | undefined;
    const commands: Started[] = [];
    try {
      const [base] = await freePorts(1);
      const cluster = start(process.execPath, [join(root, 'bin/raft.mjs'), 'cluster', '--nodes', '3', '--base-port', String(base)], { cwd });
      // As package.json starts them: one process with tsx's loader, so a signal reaches the bench
      // itself (the tsx command relays signals to a child and, on a loaded machine, may give up
      // waiting for it and exit first).
      const udp = start(process.execPath, ['--import', 'tsx', 'bench/udp-cluster.bench.ts'], { env: { BENCH_MS: '60000' } });
      const flood = start(process.execPath, ['--import', 'tsx', 'bench/udp-flood.bench.ts'], { env: { BENCH_MS: '60000' } });
      commands.push(cluster, udp, flood);
      const first = await cluster.line(/./);
      assert.match(first, /^raft cluster: 3 nodes on 127\.0\.0\.1, .*data in (\S+) \(a new temporary directory/, 'the first line says where the data is');
      dataDir = /data in (\S+)/.exec(first)![1]!;
      assert.ok(dataDir.startsWith(tmpdir()), `${dataDir} is not under ${tmpdir()}`);
      await Promise.all([
        stopsClean('raft cluster', cluster, /is leader in term/, 3, signal),
        stopsClean('bench:udp', udp, /^3 raft node processes/, 3, signal),
        stopsClean('bench:flood', flood, /^3 raft node processes/, 3, signal),
      ]);
      assert.deepEqual(readdirSync(cwd), [], 'raft cluster wrote into its working directory');
    } finally {
      // A failed assertion must not leave the commands running: end whatever is left of each.
      for (const c of commands.filter((x) => x.running)) {
        for (const pid of [...descendants(c.child.pid!), c.child.pid!]) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      }
      rmSync(cwd, { recursive: true, force: true });
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
