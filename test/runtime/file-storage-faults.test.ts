// FileStorage under a failing disk: short writes, a disk that fills, EIO from a write, an fsync or
// a rename. A save that fails is fatal to the storage, and a restart recovers exactly what was
// acknowledged (the last save that returned), never less.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { logIndex, nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { FileStorage, StorageWriteError, WAL_FILE } from '../../src/runtime/file-storage.ts';
import { FaultyFileSystem, type Fault } from '../support/faulty-file-system.ts';
import { lifeOf, storageActionArb } from '../support/storage-workload.ts';

const ids = { clusterId: 77, nodeId: nodeId(2) };
const noSnapshot = new Uint8Array(0);

/** A leader's saves: after the first, each appends one command, as a node under steady load does. */
function appends(n: number): PersistentState[] {
  return Array.from({ length: n }, (_, i) => ({
    currentTerm: term(1), votedFor: ids.nodeId,
    log: { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: Array.from({ length: i }, (_, k) => ({ term: term(1), command: `set k${k} ${'v'.repeat(k % 7)}` })) },
    snapshot: noSnapshot,
  }));
}

test('the report: a disk that fills in the middle of a record fails that save, for good, and a restart loses nothing acknowledged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-wal-full-'));
  const file = join(dir, WAL_FILE);
  const states = appends(30);
  const fills = 20; // the save whose record the disk fills in the middle of
  let writes = 0;
  const fs = new FaultyFileSystem((op) => (op.kind === 'write' && ++writes === fills ? { type: 'full', bytes: 5 } : null));
  const storage = await FileStorage.open({ dir, ...ids, fs });
  let acknowledged: PersistentState | null = null;
  for (const s of states.slice(0, fills - 1)) {
    storage.save(s);
    acknowledged = s;
  }
  let failure: unknown = null;
  try {
    storage.save(states[fills - 1]!);
  } catch (err) {
    failure = err;
  }
  assert.ok(failure instanceof StorageWriteError, `the save that hit the full disk returned (${String(failure)})`);
  assert.match(failure.message, /ENOSPC/);
  assert.ok(failure.message.includes(file), failure.message);
  // Space is freed, but after a failed write nothing the storage holds in memory matches the disk.
  fs.free();
  for (const s of states.slice(fills)) assert.throws(() => storage.save(s), (e) => e === failure);
  await storage.close();

  const reopened = await FileStorage.open({ dir, ...ids });
  assert.deepEqual(reopened.load(), acknowledged);
  await reopened.close();
  await rm(dir, { recursive: true });
});

const faultArb: fc.Arbitrary<{ readonly at: number; readonly fault: Fault }> = fc.record({
  at: fc.nat({ max: 24 }),
  fault: fc.record({ type: fc.constantFrom('short' as const, 'full' as const, 'eio' as const), bytes: fc.nat({ max: 60 }) }),
});

test('for any saves and any fault at any write, fsync or rename, a restart recovers the last acknowledged state, or the failed save whole', async () => {
  const outcomes = { noFault: 0, shortWritesAbsorbed: 0, recoveredAcknowledged: 0, recoveredFailedSave: 0 };
  await fc.assert(fc.asyncProperty(fc.array(storageActionArb, { minLength: 2, maxLength: 12 }), faultArb, async (actions, { at, fault }) => {
    const dir = await mkdtemp(join(tmpdir(), 'raft-wal-fault-'));
    try {
      // Faults from the first save on: a failing open is refused before any save, a case of its own.
      let opened = Infinity;
      const fs = new FaultyFileSystem((op) => (op.seq === opened + at ? fault : null));
      const storage = await FileStorage.open({ dir, ...ids, fs });
      opened = fs.operations.length;
      const states = lifeOf(actions);
      let acknowledged: PersistentState | null = null;
      let failed: { state: PersistentState; error: unknown } | null = null;
      for (const s of states) {
        try {
          storage.save(s);
          acknowledged = s;
        } catch (error) {
          failed = { state: s, error };
          break;
        }
      }
      const faulted = fs.operations.length > opened + at;
      if (failed !== null) {
        assert.ok(!(fault.type === 'short' && fs.operations[opened + at]!.kind === 'write'), 'a short write alone failed a save');
        assert.ok(failed.error instanceof StorageWriteError && failed.error.message.includes(dir), String(failed.error));
        // Fatal: space comes back, yet the storage takes nothing more and the file does not change.
        fs.free();
        const size = await fileSize(join(dir, WAL_FILE));
        assert.throws(() => storage.save(states.at(-1)!), (e) => e === failed!.error);
        assert.equal(await fileSize(join(dir, WAL_FILE)), size);
      }
      await storage.close();
      const reopened = await FileStorage.open({ dir, ...ids });
      const recovered = reopened.load();
      await reopened.close();
      if (failed !== null && isDeepStrictEqual(recovered, failed.state)) outcomes.recoveredFailedSave++;
      else {
        assert.deepEqual(recovered, acknowledged);
        if (failed !== null) outcomes.recoveredAcknowledged++;
        else if (faulted) outcomes.shortWritesAbsorbed++;
        else outcomes.noFault++;
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }), { seed: 11, numRuns: 150 });
  console.log(`fault cases: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.recoveredAcknowledged > 0 && outcomes.recoveredFailedSave > 0 && outcomes.shortWritesAbsorbed > 0);
});

async function fileSize(path: string): Promise<number | null> {
  return stat(path).then((s) => s.size, () => null);
}
