// Issue 12, "a process you can leave running", quick version of bench/long-run.bench.ts: 20,000
// commands through three `raft node` processes that snapshot every 500 commands. Every node's data
// directory and the log it keeps in memory stay below a bound that depends on the snapshot
// interval and what is in flight, not on how many commands went through; without snapshots the
// directory would grow past it (each command takes more than 20 bytes of WAL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeId } from '../../src/machine/index.ts';
import type { NodeEvent } from '../../src/cli/node-events.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';
import { WAL_PREALLOCATE_BYTES } from '../../src/runtime/file-storage.ts';
import { LocalCluster, freePorts, keyFileFlags, until } from '../support/local-cluster.ts';
import { metricsUrl, parseMetrics, steadyLoad, type Sample } from '../support/steady-load.ts';

const COMMANDS = 20_000;
const SNAPSHOT_ENTRIES = 500;
const IN_FLIGHT = 64;

test('raft node snapshots every --snapshot-entries commands: WAL and in-memory log stay bounded over 20,000 commands', { timeout: 120_000 }, async () => {
  const cluster = await LocalCluster.start(3, ['--metrics-port', '0', '--snapshot-entries', String(SNAPSHOT_ENTRIES)]);
  const samples: Sample[] = [];
  try {
    await steadyLoad(cluster, COMMANDS, IN_FLIGHT, 2_000, (s) => samples.push(s));
  } finally {
    await cluster.stop();
  }
  assert.equal(samples.at(-1)!.committed, COMMANDS);
  // A node holds at most the entries since its last snapshot, plus what is in flight or not yet applied.
  const entryBound = SNAPSHOT_ENTRIES + 4 * IN_FLIGHT;
  // ... and its WAL one checkpoint and the batches since: under 100 bytes an entry, whatever the batching.
  const walBound = 100 * entryBound;
  // On disk the WAL takes its preallocated chunk, twice while a snapshot's new file is being written.
  const diskBound = 2 * WAL_PREALLOCATE_BYTES + 4096;
  for (const s of samples) {
    for (const n of s.nodes) {
      const at = `after ${s.committed} commands node ${n.id}`;
      assert.ok(n.logEntries <= entryBound, `${at} holds ${n.logEntries} entries in memory`);
      assert.ok(n.walBytes <= walBound, `${at} has ${n.walBytes} bytes of WAL`);
      assert.ok(n.diskBytes <= diskBound, `${at}: its directory takes ${n.diskBytes} bytes`);
    }
  }
  assert.ok(COMMANDS * 20 > walBound, 'the bound would hold without snapshots too');
});

test('a node restarted from a snapshot starts from it: a snapshot event, then the commands after it, and its counts carried over', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-snapshot-restart-'));
  const [port] = await freePorts(1);
  const flags = ['--snapshot-entries', '5', '--print-applied', '--metrics-port', '0', ...await keyFileFlags(`${dir}.key`)];
  const start = (events: NodeEvent[], stderr: string[]) => new NodeProcess({
    id: nodeId(1), peers: `1=127.0.0.1:${port}`, dataDir: dir, clusterId: 3, flags, onEvent: (e) => events.push(e), onStderr: (l) => stderr.push(l),
  });
  try {
    const before: NodeEvent[] = [];
    const first = start(before, []);
    await until('the node to lead', () => before.some((e) => e.event === 'status' && e.role === 'leader'));
    for (let i = 1; i <= 12; i++) first.propose(`"c${i}"`);
    await until('12 commands applied', () => before.filter((e) => e.event === 'applied').length === 12);
    await first.stop();

    const after: NodeEvent[] = [];
    const stderr: string[] = [];
    const second = start(after, stderr);
    try {
      await until('the node to lead again', () => after.some((e) => e.event === 'status' && e.role === 'leader'));
      second.propose('"c13"'); // the old entries commit with the first of the new term
      await until('c13 applied', () => after.some((e) => e.event === 'applied' && e.command === 'c13'));
      const applied = after.filter((e) => e.event === 'snapshot' || e.event === 'applied');
      assert.deepEqual(applied.map((e) => (e.event === 'snapshot' ? `snapshot ${e.index}` : `${e.index} ${String(e.event === 'applied' && e.command)}`)),
        ['snapshot 10', '11 c11', '12 c12', '13 c13']);
      const url = await until('the metrics address', () => metricsUrl(stderr));
      assert.equal(parseMetrics(await (await fetch(url)).text()).get('raft_applied_commands_total'), 13);
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.key`, { force: true });
  }
});
