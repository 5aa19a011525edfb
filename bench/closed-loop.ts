// A closed-loop client of a LocalCluster, shared by the UDP benchmarks: `inFlight` proposals kept
// at the leader (through its stdin), each timed from proposal to the leader's ack.
import { readFileSync } from 'node:fs';
import { until, type LocalCluster, type LocalNode } from '../test/support/local-cluster.ts';

export interface LoopResult {
  readonly ops: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerOp: number;
  /** Proposals refused or lost because the leader changed. */
  readonly leaderChanges: number;
}

export function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

/** CPU seconds (user + system) a process has used, from /proc; 0 where there is no /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * `stamp`, if given, is told of each proposal and each ack as it happens (for a timeline on the
 * clock the node processes share).
 */
export async function closedLoop(cluster: LocalCluster, inFlight: number, warmupMs: number, measureMs: number, stamp?: (what: 'propose' | 'ack') => void): Promise<LoopResult> {
  const leader = await until('a leader', () => cluster.leader());
  const started = new Map<number, number>();
  const latencies: number[] = [];
  let measuring = false;
  let running = true;
  let leaderChanges = 0;
  let seq = 0;
  const propose = (node: LocalNode) => {
    const line = node.process!.propose(`put k${String(seq++ % 1e6).padStart(6, '0')} v16`);
    started.set(line, performance.now());
    stamp?.('propose');
  };
  const unlisten = cluster.listen((node, e) => {
    if (node !== leader) return;
    if (e.event === 'ack') {
      stamp?.('ack');
      const t0 = started.get(e.line);
      started.delete(e.line);
      if (t0 !== undefined && measuring) latencies.push(performance.now() - t0);
      if (running && node.process?.running) propose(node);
    } else if (e.event === 'rejected' || e.event === 'lost') {
      leaderChanges++;
      started.delete(e.line);
    }
  });
  for (let i = 0; i < inFlight; i++) propose(leader);
  await new Promise((r) => setTimeout(r, warmupMs));
  const cpu0 = cluster.nodes.reduce((s, n) => s + cpuSeconds(n.process?.pid), 0);
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, measureMs));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cluster.nodes.reduce((s, n) => s + cpuSeconds(n.process?.pid), 0) - cpu0;
  running = false;
  // Let the stragglers finish before the next measurement starts.
  await until('the last acks', () => started.size === 0, 10_000).catch(() => {});
  unlisten();
  const ops = latencies.length / elapsed;
  return { ops, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), cpuUsPerOp: (cpu / latencies.length) * 1e6, leaderChanges };
}
