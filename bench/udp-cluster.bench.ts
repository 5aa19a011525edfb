// Three `raft node` processes on loopback, UDP between them, file storage with fsync on. Closed-
// loop clients keep 1, 64 and 256 proposals in flight at the leader (through its stdin) and time
// each from proposal to the leader's ack (committed and applied). Beside the figures: the cost of
// one fsync on this disk, measured in the same run, which bounds a durable round from below.
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { commandLine, stopOnSignal } from '../scripts/command-line.ts';
import { LocalCluster, until } from '../test/support/local-cluster.ts';
import { closedLoop, percentile } from './closed-loop.ts';

commandLine(`usage: npm run bench:udp
Starts three \`raft node\` processes on 127.0.0.1 (UDP, file storage with fsync, data in a temporary
directory) and measures a closed-loop client with 1, 64 and 256 proposals in flight; beside it, the
cost of one fsync on this disk. Ctrl-C (or SIGTERM) stops the nodes and removes their data.
Environment: BENCH_MS  measured milliseconds per level (default 5000)
             NODE_FLAGS more \`raft node\` flags, for example "--max-datagram 65507"`, {});

const WARMUP_MS = 1000;
const MEASURE_MS = Number(process.env['BENCH_MS'] ?? 5000);
const LEVELS = [1, 64, 256];
/** etcd 3.4, 3 members on loopback, fsync on, 16-byte puts (shared/reference/performance-anchors.md). */
const ETCD: Record<number, string> = { 1: '335/s, p50 2.5 ms', 64: '3.8k/s', 256: '6.3k/s' };

/**
 * One 4 KiB write + fdatasync appended to a growing file (its size is metadata to commit too), with
 * synchronous calls as the WAL makes them. Median of 200.
 */
function appendFsyncCost(dir: string): number {
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const block = new Uint8Array(4096).fill(7);
  const times: number[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(file);
  }
  return percentile(times, 0.5);
}

/**
 * 64 bytes written into a preallocated file + fdatasync (what a WAL record costs), by `writers`
 * threads at once, each on its own file: with three, what each of three nodes sharing this disk
 * meets when they all flush for the same request. Median over all of 200 each.
 */
async function inPlaceFsyncCost(dir: string, writers: number): Promise<number> {
  // Plain JavaScript, evaluated: a worker does not go through tsx.
  const code = `
    const { closeSync, fdatasyncSync, openSync, rmSync, writeSync } = require('node:fs');
    const { parentPort, workerData } = require('node:worker_threads');
    const fd = openSync(workerData, 'w');
    writeSync(fd, new Uint8Array(65536));
    fdatasyncSync(fd);
    const record = new Uint8Array(64).fill(7);
    const times = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      writeSync(fd, record, 0, 64, i * 64);
      fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
    closeSync(fd);
    rmSync(workerData);
    parentPort.postMessage(times);`;
  const runs = await Promise.all(Array.from({ length: writers }, (_, k) => new Promise<number[]>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: join(dir, `fsync-probe-${k}`) });
    worker.once('message', resolve);
    worker.once('error', reject);
  })));
  return percentile(runs.flat(), 0.5);
}

// NODE_FLAGS passes more `raft node` flags, for example "--max-datagram 65507".
const cluster = await LocalCluster.start(3, (process.env['NODE_FLAGS'] ?? '').split(' ').filter(Boolean));
stopOnSignal(() => cluster.stop());
try {
  const fsync = { append: appendFsyncCost(cluster.dir), inPlace: await inPlaceFsyncCost(cluster.dir, 1) };
  const concurrent = await inPlaceFsyncCost(cluster.dir, 3);
  await until('a leader', () => cluster.leader());
  console.log(`3 raft node processes on 127.0.0.1, UDP, file storage with fsync; ${MEASURE_MS / 1000} s per level after ${WARMUP_MS / 1000} s warm-up`);
  console.log(`baseline, same run, p50 of 200: a 4 KiB append + fdatasync ${fsync.append.toFixed(2)} ms; 64 B into a preallocated file + fdatasync ${fsync.inPlace.toFixed(2)} ms, or ${concurrent.toFixed(2)} ms with three files flushed at once`);
  console.log(`  a proposal waits for a follower's fsync while the leader's and the other follower's run (three nodes, one disk): p50 at least ~${concurrent.toFixed(2)} ms with 1 in flight here`);
  console.log('');
  console.log('| in flight | ops/s | p50 ms | p99 ms | CPU µs/op (3 nodes) | etcd 3.4 bar |');
  console.log('|---|---|---|---|---|---|');
  for (const n of LEVELS) {
    const r = await closedLoop(cluster, n, WARMUP_MS, MEASURE_MS);
    const note = r.leaderChanges > 0 ? ` (${r.leaderChanges} proposals refused by a leader change)` : '';
    console.log(`| ${n} | ${Math.round(r.ops)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.cpuUsPerOp)} | ${ETCD[n]} |${note}`);
  }
} finally {
  await cluster.stop();
}
