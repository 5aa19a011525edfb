// FileStorage under a failing disk: short writes, a disk that fills, EIO from a write, an fsync or
// a rename. A save that fails is fatal to the storage, and a restart recovers exactly what was
// acknowledged (the last save that resolved), never less.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { logIndex, nodeId, term, type Entry, type PersistentState, type Term } from '../../src/machine/index.ts';
import { FileStorage, StorageWriteError, WAL_FILE } from '../../src/runtime/file-storage.ts';
import { FaultyFileSystem, type Fault } from '../support/faulty-file-system.ts';

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

type Action =
  | { readonly type: 'append'; readonly n: number }
  | { readonly type: 'vote'; readonly for: number | null }
  | { readonly type: 'conflict'; readonly drop: number; readonly n: number }
  | { readonly type: 'compact'; readonly keep: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('append' as const), n: fc.integer({ min: 1, max: 4 }) }) },
  fc.record({ type: fc.constant('vote' as const), for: fc.option(fc.integer({ min: 1, max: 3 })) }),
  fc.record({ type: fc.constant('conflict' as const), drop: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ type: fc.constant('compact' as const), keep: fc.integer({ min: 0, max: 3 }) }),
);

/** A node's life in saves: appends, votes in new terms, a new leader's conflicting suffix, snapshots. */
function lifeOf(actions: readonly Action[]): PersistentState[] {
  let s: PersistentState = { currentTerm: term(1), votedFor: null, log: { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: [] }, snapshot: noSnapshot };
  const out = [s];
  const appended = (entries: readonly Entry[], n: number, t: Term): Entry[] => {
    const first = s.log.snapshotIndex + entries.length + 1;
    return [...entries, ...Array.from({ length: n }, (_, k) => ({ term: t, command: { index: first + k, term: t, pad: 'x'.repeat((first + k) % 23) } }))];
  };
  for (const a of actions) {
    const { log } = s;
    if (a.type === 'append') s = { ...s, log: { ...log, entries: appended(log.entries, a.n, s.currentTerm) } };
    else if (a.type === 'vote') s = { ...s, currentTerm: term(s.currentTerm + 1), votedFor: a.for === null ? null : nodeId(a.for) };
    else if (a.type === 'conflict') {
      const t = term(s.currentTerm + 1);
      s = { ...s, currentTerm: t, votedFor: null, log: { ...log, entries: appended(log.entries.slice(0, Math.max(0, log.entries.length - a.drop)), a.n, t) } };
    } else {
      const upto = Math.max(0, log.entries.length - a.keep);
      if (upto === 0) continue;
      s = {
        ...s,
        log: { snapshotIndex: logIndex(log.snapshotIndex + upto), snapshotTerm: log.entries[upto - 1]!.term, entries: log.entries.slice(upto) },
        snapshot: Uint8Array.from({ length: 40 + upto }, (_, i) => (i * 7 + upto) & 0xff),
      };
    }
    out.push(s);
  }
  return out;
}

const faultArb: fc.Arbitrary<{ readonly at: number; readonly fault: Fault }> = fc.record({
  at: fc.nat({ max: 24 }),
  fault: fc.record({ type: fc.constantFrom('short' as const, 'full' as const, 'eio' as const), bytes: fc.nat({ max: 60 }) }),
});

test('for any saves and any fault at any write, fsync or rename, a restart recovers the last acknowledged state, or the failed save whole', async () => {
  const outcomes = { noFault: 0, shortWritesAbsorbed: 0, recoveredAcknowledged: 0, recoveredFailedSave: 0 };
  await fc.assert(fc.asyncProperty(fc.array(actionArb, { minLength: 2, maxLength: 12 }), faultArb, async (actions, { at, fault }) => {
    const dir = await mkdtemp(join(tmpdir(), 'raft-wal-fault-'));
    try {
      const fs = new FaultyFileSystem((op) => (op.seq === at ? fault : null));
      const storage = await FileStorage.open({ dir, ...ids, fs });
      const states = lifeOf(actions);
      let acknowledged: PersistentState | null = null;
      let failed: { state: PersistentState; error: unknown } | null = null;
      for (const s of states) {
        try {
          await storage.save(s);
          acknowledged = s;
        } catch (error) {
          failed = { state: s, error };
          break;
        }
      }
      const faulted = fs.operations.length > at;
      if (failed !== null) {
        assert.ok(!(fault.type === 'short' && fs.operations[at]!.kind === 'write'), 'a short write alone failed a save');
        assert.ok(failed.error instanceof StorageWriteError && failed.error.message.includes(dir), String(failed.error));
        // Fatal: space comes back, yet the storage takes nothing more and the file does not change.
        fs.free();
        const size = await fileSize(join(dir, WAL_FILE));
        await assert.rejects(Promise.resolve(storage.save(states.at(-1)!)), (e) => e === failed!.error);
        assert.equal(await fileSize(join(dir, WAL_FILE)), size);
      }
      await storage.close();
      const reopened = await FileStorage.open({ dir, ...ids });
      const recovered = await reopened.load();
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
