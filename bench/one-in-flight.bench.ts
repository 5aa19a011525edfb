// One request in flight through three `raft node` processes (issue 12): the closed loop of
// bench/closed-loop.ts at level 1 only (ops/s, p50, p99, CPU per operation over the three
// processes), or, with --count-resources, a fixed number of operations with each node counting the
// async resources it creates (bench/async-resources.mjs), printed per operation: event-loop hops
// (nextTicks, immediates, timers) and promises, which a timed run on a loaded machine cannot resolve.
// With --cpu-profile DIR the timed run writes each node's CPU profile there (bench/cpu-profile.mjs).
// With --timeline, each node stamps its stdin reads, datagrams, fsyncs and acks on the clock the
// processes share (bench/timeline-stamps.mjs), and the run prints where a request's time goes:
// the median of each segment of its path (bench/latency-breakdown.ts).
//
//   npx tsx bench/one-in-flight.bench.ts [--ms N (5000)] [--cpu-profile DIR | --timeline] [--count-resources [--ops N (2000)]]
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LocalCluster, until } from '../test/support/local-cluster.ts';
import { closedLoop } from './closed-loop.ts';
import { latencyBreakdown, type Stamp } from './latency-breakdown.ts';

const usage = 'Usage: npx tsx bench/one-in-flight.bench.ts [--ms N (5000)] [--cpu-profile DIR | --timeline] [--count-resources [--ops N (2000)]]\n';
let values;
try {
  ({ values } = parseArgs({
    options: { ms: { type: 'string', default: '5000' }, 'cpu-profile': { type: 'string' }, 'count-resources': { type: 'boolean' }, timeline: { type: 'boolean' }, ops: { type: 'string', default: '2000' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  }));
} catch (err) {
  process.stderr.write(`one-in-flight: ${(err as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const whole = (name: string, text: string): number => {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    process.stderr.write(`one-in-flight: --${name} must be a whole number above 0, got "${text}"\n${usage}`);
    process.exit(2);
  }
  return Number(text);
};
const ms = whole('ms', String(values.ms));
const ops = whole('ops', String(values.ops));

const WARMUP_MS = 1000;
const TYPES = ['TickObject', 'Immediate', 'Timeout', 'PROMISE', 'FSREQPROMISE'];

/** Makes the node processes the cluster spawns (they inherit this environment) load `module`. */
function loadIntoNodes(module: string): void {
  process.env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} --import ${fileURLToPath(new URL(module, import.meta.url))}`.trim();
}

if (values['count-resources']) {
  const dir = await mkdtemp(join(tmpdir(), 'raft-resources-'));
  process.env['RAFT_RESOURCES_DIR'] = dir;
  loadIntoNodes('./async-resources.mjs');
  const cluster = await LocalCluster.start(3);
  let leaderId = 0;
  try {
    const leader = await until('a leader', () => cluster.leader());
    leaderId = leader.id;
    let acked = 0;
    const unlisten = cluster.listen((n, e) => {
      if (n !== leader || e.event !== 'ack') return;
      if (++acked < ops) leader.process!.propose(`put k${acked} v16`);
    });
    leader.process!.propose('put k0 v16');
    await until(`${ops} acknowledgements`, () => acked >= ops, 300_000);
    unlisten();
  } finally {
    await cluster.stop();
  }
  console.log(`async resources created per operation, ${ops} operations one at a time (startup and election included)`);
  for (const id of [1, 2, 3]) {
    const counts = JSON.parse(await readFile(join(dir, `node-${id}.json`), 'utf8')) as Record<string, number>;
    console.log(`node ${id}${id === leaderId ? ' (leader)' : ''}: ${TYPES.map((t) => `${t} ${((counts[t] ?? 0) / ops).toFixed(2)}`).join(', ')}`);
  }
  await rm(dir, { recursive: true, force: true });
} else {
  if (values['cpu-profile'] !== undefined) {
    process.env['RAFT_CPU_PROFILE_DIR'] = resolve(values['cpu-profile']);
    await mkdir(process.env['RAFT_CPU_PROFILE_DIR'], { recursive: true });
    loadIntoNodes('./cpu-profile.mjs');
  }
  const timeline = values.timeline === true ? await mkdtemp(join(tmpdir(), 'raft-timeline-')) : undefined;
  if (timeline !== undefined) {
    process.env['RAFT_TIMELINE_DIR'] = timeline;
    loadIntoNodes('./timeline-stamps.mjs');
  }
  const client: Stamp[] = [];
  const cluster = await LocalCluster.start(3);
  let leaderId = 0;
  try {
    leaderId = (await until('a leader', () => cluster.leader())).id;
    const stamp = timeline === undefined ? undefined : (what: string) => client.push([Number(process.hrtime.bigint() / 1000n), what]);
    const r = await closedLoop(cluster, 1, WARMUP_MS, ms, stamp);
    console.log(`1 in flight, ${ms / 1000} s: ${Math.round(r.ops)} ops/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, CPU ${Math.round(r.cpuUsPerOp)} µs/op over the three processes`);
  } finally {
    await cluster.stop();
  }
  if (timeline !== undefined) {
    const read = async (id: number) => JSON.parse(await readFile(join(timeline, `node-${id}.json`), 'utf8')) as Stamp[];
    const followers = await Promise.all([1, 2, 3].filter((id) => id !== leaderId).map(read));
    // Requests proposed during the warm-up second are left out.
    const warm = (client[0]?.[0] ?? 0) + WARMUP_MS * 1000;
    const { segments, requests } = latencyBreakdown(client, await read(leaderId), followers, client.filter(([t, w]) => w === 'propose' && t < warm).length);
    console.log(`\nwhere a request's time goes, over ${requests} requests, µs (segments overlap: the leader's fsync runs beside the follower's)`);
    console.log('    p50      p99');
    for (const s of segments) console.log(`${String(s.medianUs).padStart(7)}  ${String(s.p99Us).padStart(7)}  ${s.what}`);
    await rm(timeline, { recursive: true, force: true });
  }
}
