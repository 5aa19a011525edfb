// End to end: three `raft node` processes on loopback with file storage. Elect, replicate, kill -9
// the leader, re-elect, restart it from its disk, and check that every acknowledged command is
// applied on every node, in the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalCluster, until, type LocalNode } from '../support/local-cluster.ts';

/** Proposes `commands` to the leader, resubmitting refused or lost ones; resolves with their indices. */
async function replicate(cluster: LocalCluster, commands: string[]): Promise<Map<string, number>> {
  const acked = new Map<string, number>();
  const inFlight = new Map<string, { node: LocalNode; line: number }>();
  const unlisten = cluster.listen((node, e) => {
    if (e.event !== 'ack' && e.event !== 'rejected' && e.event !== 'lost') return;
    for (const [command, f] of inFlight) {
      if (f.node !== node || f.line !== e.line) continue;
      inFlight.delete(command);
      if (e.event === 'ack') acked.set(command, e.index);
    }
  });
  try {
    await until(`acks for ${commands.length} commands`, () => {
      const leader = cluster.leader();
      for (const c of commands) {
        const f = inFlight.get(c);
        const stale = f !== undefined && (f.node !== leader || !f.node.process?.running);
        if (leader?.process && !acked.has(c) && (f === undefined || stale)) inFlight.set(c, { node: leader, line: leader.process.propose(c) });
      }
      return acked.size === commands.length;
    }, 20_000);
  } finally {
    unlisten();
  }
  return acked;
}

test('three processes: elect, replicate, kill -9 the leader, re-elect, restart it from disk', { timeout: 60_000 }, async () => {
  const cluster = await LocalCluster.start(3, ['--print-applied']);
  try {
    const first = await until('a leader', () => cluster.leader());
    const before = await replicate(cluster, Array.from({ length: 30 }, (_, i) => `before-${i}`));

    await cluster.crash(first);
    const second = await until('a new leader', () => {
      const l = cluster.leader();
      return l !== undefined && l !== first ? l : undefined;
    });
    assert.notEqual(second.id, first.id);
    const after = await replicate(cluster, Array.from({ length: 30 }, (_, i) => `after-${i}`));

    // The first status of the restarted node comes from its Restart step: the log it read from disk.
    const recovered = new Promise<number>((resolve) => {
      const unlisten = cluster.listen((node, e) => {
        if (node === first && e.event === 'status') {
          unlisten();
          resolve(e.logLength);
        }
      });
    });
    cluster.launch(first);
    assert.ok(await recovered >= Math.max(...before.values()), 'the old leader recovered every entry it had acknowledged');
    const acked = new Map([...before, ...after]);
    const last = Math.max(...acked.values());
    await until('every node to apply every acknowledged command', () => cluster.nodes.every((n) => n.applied.size >= last));

    // Same order everywhere: each index holds the same command on every node, and acked commands sit where they were acked.
    for (let index = 1; index <= last; index++) {
      const commands = cluster.nodes.map((n) => n.applied.get(index));
      assert.ok(commands.every((c) => c !== undefined && c === commands[0]), `index ${index}: ${JSON.stringify(commands)}`);
    }
    for (const [command, index] of acked) {
      for (const n of cluster.nodes) assert.equal(n.applied.get(index), command, `node ${n.id} index ${index}`);
    }
    for (const n of cluster.nodes) assert.deepEqual(n.stderr.filter((l) => l.includes('"level":"error"')), [], `node ${n.id} stderr`);
  } finally {
    await cluster.stop();
  }
});
