// A graceful shutdown closes the storage while a save may be in progress: close() lets it finish
// (its write and its fdatasync), so the save resolves and the reopened log holds it whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logIndex, nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { FileStorage } from '../../src/runtime/file-storage.ts';
import { nodeFileSystem, type FileSystem } from '../../src/runtime/file-system.ts';

const ids = { clusterId: 5, nodeId: nodeId(1) };
/** One snapshot object for every state: the second save then appends a batch, as a running node's saves do. */
const noSnapshot = new Uint8Array(0);

function withEntries(n: number): PersistentState {
  return {
    currentTerm: term(1), votedFor: ids.nodeId, snapshot: noSnapshot,
    log: { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: Array.from({ length: n }, (_, k) => ({ term: term(1), command: `c${k}` })) },
  };
}

/** A disk whose writes wait, once held, until the test lets them go: a save is then certainly in progress. */
function slowDisk(): { fs: FileSystem; hold: () => void; letGo: () => void } {
  let letGo = () => {};
  let gate: Promise<void> | null = null;
  const fs: FileSystem = {
    ...nodeFileSystem,
    open: async (path, flags) => {
      const file = await nodeFileSystem.open(path, flags);
      return {
        write: async (buffer, offset, length, position) => {
          if (gate !== null) await gate;
          return file.write(buffer, offset, length, position);
        },
        sync: () => file.sync(), datasync: () => file.datasync(), truncate: (n) => file.truncate(n), close: () => file.close(),
      };
    },
  };
  return { fs, hold: () => { gate = new Promise((open) => { letGo = open; }); }, letGo: () => letGo() };
}

test('close() during a save lets the save finish: it resolves, and the log reopens with it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-close-'));
  try {
    const disk = slowDisk();
    const storage = await FileStorage.open({ dir, ...ids, fs: disk.fs });
    await storage.save(withEntries(1));
    disk.hold();
    const last = withEntries(50);
    const saving = storage.save(last);
    const closing = storage.close();
    // Time for a close that does not wait to close the file under the held write (it then fails with EBADF).
    await new Promise((r) => setTimeout(r, 20));
    disk.letGo();
    await closing;
    await saving;
    const reopened = await FileStorage.open({ dir, ...ids });
    assert.deepEqual(await reopened.load(), last);
    await reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
