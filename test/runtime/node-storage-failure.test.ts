// A node whose disk fails under it, in a cluster under load: it stops at the failed save (no send,
// no apply after it), reports the error once, and its data directory, reopened, holds everything
// it acknowledged: every vote it granted, every entry it said it had, every entry it applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, nodeId, type Message } from '../../src/machine/index.ts';
import { SimulatedClock } from '../../src/runtime/clock.ts';
import { FileStorage, StorageWriteError } from '../../src/runtime/file-storage.ts';
import { MemoryNetwork } from '../../src/runtime/memory-network.ts';
import { labTimings, RaftNode, type Applied } from '../../src/runtime/node.ts';
import { seededRandom } from '../../src/runtime/random.ts';
import type { Transport } from '../../src/runtime/transport.ts';
import { FaultyFileSystem, type Fault } from '../support/faulty-file-system.ts';

const clusterId = 5;
const FAULTS: readonly Fault[] = [{ type: 'full', bytes: 9 }, { type: 'eio', bytes: 0 }, { type: 'eio', bytes: 30 }];

test('a node whose disk fails stops acknowledging, says why, and a restart recovers all it acknowledged', { timeout: 60_000 }, async () => {
  for (let seed = 1; seed <= 6; seed++) {
    const dir = await mkdtemp(join(tmpdir(), 'raft-node-fault-'));
    const clock = new SimulatedClock();
    const random = seededRandom(seed);
    const net = new MemoryNetwork(clock, random.fork());
    const ids = [1, 2, 3].map(nodeId);
    const victim = ids[seed % 3]!;
    const faultAt = 20 + Math.floor(random.next() * 60);
    const fault = FAULTS[seed % FAULTS.length]!;
    const storages: FileStorage[] = [];
    const nodes: RaftNode[] = [];
    const sent: Message[] = [];
    const applied: Applied[] = [];
    const fatal: unknown[] = [];
    let failedAt: { sent: number; applied: number } | null = null;
    for (const id of ids) {
      const fs = new FaultyFileSystem(id === victim ? (op) => (op.seq === faultAt ? fault : null) : undefined);
      const storage = await FileStorage.open({ dir: join(dir, String(id)), clusterId, nodeId: id, fs });
      const inner = net.attach(id);
      net.connect(id);
      const transport: Transport = id !== victim ? inner : {
        send: (m) => { sent.push(m); inner.send(m); }, onMessage: (h) => inner.onMessage(h), close: () => inner.close(),
      };
      storages.push(storage);
      nodes.push(new RaftNode(id, ids.filter((p) => p !== id), transport, storage, {
        clock, random: random.fork(), timings: labTimings,
        apply: (a) => { if (id === victim) applied.push(a); },
        onFatal: (e) => { fatal.push(e); failedAt ??= { sent: sent.length, applied: applied.length }; },
      }));
    }
    for (let t = 0; t < 4000; t += 5) {
      const leader = nodes.find((n) => n.getState().isLeader);
      if (t % 20 === 0) leader?.start({ seed, t });
      clock.advance(5);
    }
    for (const s of storages) await s.close();

    assert.equal(fatal.length, 1, `seed ${seed}: the fault at operation ${faultAt} was not hit once`);
    const error = fatal[0];
    assert.ok(error instanceof StorageWriteError && error.file.startsWith(join(dir, String(victim))), `seed ${seed}: ${String(error)}`);
    assert.deepEqual({ sent: sent.length, applied: applied.length }, failedAt, `seed ${seed}: the node went on after its save failed`);
    assert.equal(nodes[ids.indexOf(victim)]!.getState().isLeader, false);

    const reopened = await FileStorage.open({ dir: join(dir, String(victim)), clusterId, nodeId: victim });
    const r = reopened.load()!;
    await reopened.close();
    const last = log.lastIndex(r.log);
    for (const m of sent) {
      assert.ok(m.term <= r.currentTerm, `seed ${seed}: sent term ${m.term}, recovered ${r.currentTerm}`);
      if (m.type === 'RequestVoteReply' && m.voteGranted && m.term === r.currentTerm) assert.equal(r.votedFor, m.to, `seed ${seed}: a granted vote was lost`);
      if (m.type === 'AppendEntriesReply' && m.success) assert.ok(m.matchIndex <= last, `seed ${seed}: acknowledged ${m.matchIndex}, recovered ${last}`);
    }
    for (const a of applied) {
      if (a.type !== 'command') continue;
      assert.deepEqual(r.log.entries[a.index - r.log.snapshotIndex - 1], { term: a.term, command: a.command }, `seed ${seed}: applied entry ${a.index} differs after recovery`);
    }
    console.log(`seed ${seed}: node ${victim} failed at operation ${faultAt} (${fault.type}) after ${applied.length} applies and ${sent.length} sends; recovered ${last} entries, term ${r.currentTerm}`);
    await rm(dir, { recursive: true });
  }
});
