// A long stream of commands through a LocalCluster's leader with a fixed number in flight, and what
// the nodes hold while it runs: their data directories' bytes, their resident memory and the log
// each keeps in memory (from its metrics endpoint). The long run and its quick version in the tests
// share it.
import { readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { until, type LocalCluster } from './local-cluster.ts';

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

/** The metrics endpoint of a node started with --metrics-port 0, from the log line announcing it among its stderr lines. */
export function metricsUrl(stderr: readonly string[]): string | undefined {
  for (const line of stderr) {
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
    const url = await until(`node ${n.id}'s metrics address`, () => metricsUrl(n.stderr));
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
 * Has `total` commands acknowledged, keeping `inFlight` proposed at the leader, and samples the
 * nodes every `every` acknowledgements. A leader change (likely on a loaded machine) costs the
 * proposals it refused or lost, which are made again at the new leader; `onSample` sees how many.
 */
export async function steadyLoad(
  cluster: LocalCluster, total: number, inFlight: number, every: number, onSample: (s: Sample, leaderChanges: number) => void,
): Promise<void> {
  let acked = 0;
  let pending = 0;
  let refused = 0;
  let seq = 0;
  const topUp = () => {
    const leader = cluster.leader();
    if (leader === undefined) return;
    for (; pending < inFlight && acked + pending < total; pending++) leader.process!.propose(`put k${++seq % 100_000} v${'x'.repeat(12)}`);
  };
  const unlisten = cluster.listen((_node, e) => {
    if (e.event === 'ack') acked++;
    else if (e.event === 'rejected' || e.event === 'lost') refused++;
    else return;
    pending--;
    topUp();
  });
  // While there is no leader, nothing acknowledges: look for one again now and then.
  const retry = setInterval(topUp, 100);
  try {
    await until('a leader', () => cluster.leader());
    topUp();
    for (let next = Math.min(every, total); ; next = Math.min(next + every, total)) {
      await until(`${next} commands acknowledged`, () => acked >= next, 60_000);
      onSample(await sample(cluster, acked), refused);
      if (next === total) return;
    }
  } finally {
    clearInterval(retry);
    unlisten();
  }
}
