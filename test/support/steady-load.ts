// A long stream of commands through a LocalCluster's leader with a fixed number in flight, and what
// the nodes hold while it runs: their data directories' bytes, their resident memory and the log
// each keeps in memory (from its metrics endpoint). The long run and its quick version in the tests
// share it.
import { readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { until, type LocalCluster, type LocalNode } from './local-cluster.ts';

export interface NodeSample {
  readonly id: number;
  /** Bytes of the files in the node's data directory, preallocated space included. */
  readonly diskBytes: number;
  /** Bytes of log data in the WAL, the snapshot and preallocated space excluded (its metrics). */
  readonly walBytes: number;
  /** Resident set size of the node's process, from /proc (0 where there is none). */
  readonly rssBytes: number;
  /** Entries the node's log holds in memory: its last index less the index it is compacted through. */
  readonly logEntries: number;
}

export interface Sample {
  readonly committed: number;
  readonly nodes: readonly NodeSample[];
}

/** The metrics endpoint of a node started with --metrics-port 0, from its log line announcing it. */
export function metricsUrl(node: LocalNode): string | undefined {
  for (const line of node.stderr) {
    const m = /"msg":"metrics at (\S+)"/.exec(line);
    if (m !== null) return m[1];
  }
  return undefined;
}

/** The samples of a Prometheus text body by name and labels: `raft_role{role="leader"}` -> 1. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a Prometheus exposition line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

async function directoryBytes(dir: string): Promise<number> {
  // A snapshot renames its temp file over the log: a file listed may be gone when it is measured,
  // and the listing is then taken again.
  for (;;) {
    try {
      let total = 0;
      for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
      return total;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

function rssBytes(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

export async function sample(cluster: LocalCluster, committed: number): Promise<Sample> {
  const nodes = await Promise.all(cluster.nodes.map(async (n) => {
    const url = await until(`node ${n.id}'s metrics address`, () => metricsUrl(n));
    const m = parseMetrics(await (await fetch(url)).text());
    return {
      id: n.id,
      diskBytes: await directoryBytes(join(cluster.dir, String(n.id))),
      walBytes: m.get('raft_storage_log_bytes')!,
      rssBytes: rssBytes(n.process?.pid),
      logEntries: m.get('raft_last_log_index')! - m.get('raft_snapshot_index')!,
    };
  }));
  return { committed, nodes };
}

/**
 * Proposes `total` commands at the leader, `inFlight` at a time, and samples the nodes every
 * `every` acknowledgements. Fails if the leader changes: a run is measured under one leader.
 */
export async function steadyLoad(
  cluster: LocalCluster, total: number, inFlight: number, every: number, onSample: (s: Sample) => void,
): Promise<void> {
  const leader = await until('a leader', () => cluster.leader());
  let proposed = 0;
  let acked = 0;
  let failure: string | null = null;
  const propose = () => {
    if (proposed >= total) return;
    proposed++;
    leader.process!.propose(`put k${proposed % 100_000} v${'x'.repeat(12)}`);
  };
  const unlisten = cluster.listen((node, e) => {
    if (node !== leader) return;
    if (e.event === 'ack') {
      acked++;
      propose();
    } else if (e.event === 'rejected' || e.event === 'lost') {
      failure ??= `the leader changed after ${acked} commands`;
    }
  });
  try {
    for (let i = 0; i < inFlight; i++) propose();
    for (let next = Math.min(every, total); ; next = Math.min(next + every, total)) {
      await until(`${next} commands acknowledged`, () => failure !== null || acked >= next, 60_000);
      if (failure !== null) throw new Error(failure);
      onSample(await sample(cluster, acked));
      if (next === total) return;
    }
  } finally {
    unlisten();
  }
}
