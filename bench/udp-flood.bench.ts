// Hostile traffic against a live cluster: three `raft node` processes on loopback (UDP, file
// storage with fsync), a closed-loop client with 64 proposals in flight, measured without a flood
// (the baseline, same run), then while another thread floods a port no process listens on (the
// control: what the flooder itself costs the shared machine), a follower, then the leader, with
// malformed datagrams from an address that is no member's.
import { commandLine, stopOnSignal } from '../scripts/command-line.ts';
import { LocalCluster, freePorts, until, type LocalNode } from '../test/support/local-cluster.ts';
import { startFlood } from '../test/support/flood.ts';
import { closedLoop } from './closed-loop.ts';

const WARMUP_MS = 1000;
const MEASURE_MS = Number(process.env['BENCH_MS'] ?? 5000);
const IN_FLIGHT = 64;
/** The cluster id LocalCluster gives its nodes: the flood passes any check of the header alone. */
const CLUSTER_ID = 4242;

commandLine(`usage: npm run bench:flood
Starts three \`raft node\` processes on 127.0.0.1 (UDP, file storage with fsync, data in a temporary
directory) and measures 64 proposals in flight with no flood, then while a thread with its own socket
floods a port nobody listens on (the control: what the flooder costs the machine), a follower,
then the leader, with malformed datagrams. Ctrl-C (or SIGTERM) stops every
process it started and removes the nodes' data.
Environment: BENCH_MS  measured milliseconds per row (default 5000)`, {});

const cluster = await LocalCluster.start(3);
stopOnSignal(() => cluster.stop());
try {
  await until('a leader', () => cluster.leader());
  console.log(`3 raft node processes on 127.0.0.1, UDP, file storage with fsync; ${IN_FLIGHT} in flight; ${MEASURE_MS / 1000} s per row after ${WARMUP_MS / 1000} s`);
  console.log('');
  console.log('| flood at | ops/s | vs no flood | p50 ms | p99 ms | proposals lost to leader changes | flood datagrams/s | term before → after |');
  console.log('|---|---|---|---|---|---|---|---|');
  let quiet = 0;
  const [unused] = await freePorts(1);
  const at = (node: LocalNode | undefined) => node && cluster.address(node);
  const targets: Array<[string, () => { host: string; port: number } | undefined]> = [
    ['nothing', () => undefined],
    ['an unused port', () => ({ host: '127.0.0.1', port: unused! })],
    ['a follower', () => at(cluster.nodes.find((n) => n !== cluster.leader() && n.process?.running))],
    ['the leader', () => at(cluster.leader())],
  ];
  for (const [name, pick] of targets) {
    const termBefore = (await until('a leader', () => cluster.leader())).status!.term;
    const target = pick();
    const flood = target && startFlood(target, CLUSTER_ID);
    const t0 = performance.now();
    const r = await closedLoop(cluster, IN_FLIGHT, WARMUP_MS, MEASURE_MS);
    const sent = flood ? await flood.stop() : 0;
    const floodRate = sent / ((performance.now() - t0) / 1000);
    const termAfter = (await until('a leader', () => cluster.leader(), 30_000)).status!.term;
    if (!flood) quiet = r.ops;
    console.log(`| ${name} | ${Math.round(r.ops)} | ${quiet ? `${Math.round((100 * r.ops) / quiet)} %` : '-'} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.leaderChanges} | ${Math.round(floodRate)} | ${termBefore} → ${termAfter} |`);
  }
} finally {
  await cluster.stop();
}
