// FileStorage under a failing disk: short writes, a disk that fills, EIO from a write, an fsync or
// a rename. A save that fails is fatal to the storage, and a restart recovers exactly what was
// acknowledged (the last save that resolved), never less.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logIndex, nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { FileStorage, StorageWriteError, WAL_FILE } from '../../src/runtime/file-storage.ts';
import { FaultyFileSystem } from '../support/faulty-file-system.ts';

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
    await storage.save(s);
    acknowledged = s;
  }
  const failure = await storage.save(states[fills - 1]!).then(() => null, (e: unknown) => e);
  assert.ok(failure instanceof StorageWriteError, `the save that hit the full disk resolved (${String(failure)})`);
  assert.match(failure.message, /ENOSPC/);
  assert.ok(failure.message.includes(file), failure.message);
  // Space is freed, but after a failed write nothing the storage holds in memory matches the disk.
  fs.free();
  for (const s of states.slice(fills)) await assert.rejects(Promise.resolve(storage.save(s)), (e) => e === failure);
  await storage.close();

  const reopened = await FileStorage.open({ dir, ...ids });
  assert.deepEqual(await reopened.load(), acknowledged);
  await reopened.close();
  await rm(dir, { recursive: true });
});
