// Three `raft node` processes on loopback, UDP between them, file storage with fsync on. Closed-
// loop clients keep 1, 64 and 256 proposals in flight at the leader (through its stdin) and time
// each from proposal to the leader's ack (committed and applied). Beside the figures: the cost of
// one fsync on this disk, measured in the same run, which bounds a durable round from below.
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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

/** Synchronous calls, as the WAL makes them: a promise's thread-pool round trip is no part of the disk's cost. */
function fsyncCost(dir: string): { p50: number; p99: number } {
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const block = new Uint8Array(4096).fill(7);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    writeSync(fd, block);
    fdatasyncSync(fd);
    times.push(performance.now() - t0);
  }
  closeSync(fd);
  rmSync(file);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

// NODE_FLAGS passes more `raft node` flags, for example "--max-datagram 65507".
const cluster = await LocalCluster.start(3, (process.env['NODE_FLAGS'] ?? '').split(' ').filter(Boolean));
stopOnSignal(() => cluster.stop());
try {
  const fsync = fsyncCost(cluster.dir);
  await until('a leader', () => cluster.leader());
  console.log(`3 raft node processes on 127.0.0.1, UDP, file storage with fsync; ${MEASURE_MS / 1000} s per level after ${WARMUP_MS / 1000} s warm-up`);
  console.log(`baseline, same run: one 4 KiB write + fdatasync on this disk: p50 ${fsync.p50.toFixed(2)} ms, p99 ${fsync.p99.toFixed(2)} ms (200 runs)`);
  console.log(`  a proposal waits for the leader's fsync, then a follower's: at most ${Math.round(1000 / (2 * fsync.p50))} proposals/s with 1 in flight on this disk`);
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
