import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonCommands, logIndex, nodeId, term, type Entry, type PersistentState } from '../../src/machine/index.ts';
import { FileStorage, StorageCorruptError, StorageError, WAL_FILE, recover, walFile } from '../../src/runtime/file-storage.ts';
import { silentLogger, type Logger } from '../../src/runtime/logger.ts';

const ids = { clusterId: 77, nodeId: nodeId(2) };
const FILE = '/data/2/raft.wal';

// The node keeps one snapshot object while the snapshot is unchanged; storage relies on that.
const noSnapshot = new Uint8Array(0);
const snapshot = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
const entry = (t: number, command: unknown): Entry => ({ term: term(t), command });
const state = (t: number, voted: number | null, entries: Entry[], snapshotIndex = 0, snapshotTerm = 0, snap = noSnapshot): PersistentState => ({
  currentTerm: term(t), votedFor: voted === null ? null : nodeId(voted),
  log: { snapshotIndex: logIndex(snapshotIndex), snapshotTerm: term(snapshotTerm), entries }, snapshot: snap,
});

/**
 * A node's life in saves: a vote, appends, a conflicting suffix replaced by a new leader's
 * entries, a big batch, a term change, then a snapshot (which rewrites the file) and more appends.
 */
function writeSequence(): PersistentState[] {
  const a = [entry(1, 'set x 1'), entry(1, { op: 'incr', key: 'y' }), entry(1, 42)];
  const b = [...a.slice(0, 2), entry(2, 'from the new leader'), entry(2, ['list', 1])];
  const c = [...b, ...Array.from({ length: 12 }, (_, i) => entry(2, `batch ${i}`))];
  const compacted = c.slice(6);
  return [
    state(1, 1, []),
    state(1, 1, a),
    state(2, 2, a),
    state(2, 2, b),
    state(2, 2, c),
    state(3, null, c),
    state(3, null, compacted, 6, 2, snapshot),
    state(3, null, [...compacted, entry(3, 'after the snapshot')], 6, 2, snapshot),
    state(4, 3, [...compacted, entry(3, 'after the snapshot'), entry(4, 'x'), entry(4, 'y')], 6, 2, snapshot),
  ];
}

interface DurablePoint { readonly state: PersistentState; readonly fileBytes: Uint8Array }

/** Runs the sequence through a real FileStorage, recording the file as it was after each save. */
async function recordSequence(): Promise<{ points: DurablePoint[]; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-wal-'));
  const storage = await FileStorage.open({ dir, ...ids });
  const points: DurablePoint[] = [];
  for (const s of writeSequence()) {
    storage.save(s);
    points.push({ state: s, fileBytes: new Uint8Array(await readFile(join(dir, WAL_FILE))) });
  }
  await storage.close();
  return { points, dir };
}

/** Saves that appended to the same file, each with the file length at which it became durable. */
function phases(points: DurablePoint[]): DurablePoint[][] {
  const out: DurablePoint[][] = [];
  for (const p of points) {
    const last = out.at(-1);
    const prev = last?.at(-1);
    const appended = prev !== undefined && p.fileBytes.length >= prev.fileBytes.length && Buffer.from(p.fileBytes.subarray(0, prev.fileBytes.length)).equals(prev.fileBytes);
    if (last && appended) last.push(p);
    else out.push([p]);
  }
  return out;
}

function recording(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (m: string) => warnings.push(m), warnings };
}

const expectCorrupt = (fn: () => unknown) => assert.throws(fn, (e) => e instanceof StorageCorruptError && e.message.startsWith(`${FILE} at byte `) && e.offset >= 0);

test('a crash at every byte offset recovers the last durable state', async () => {
  const { points, dir } = await recordSequence();
  let cuts = 0;
  let tornTails = 0;
  const groups = phases(points);
  assert.equal(groups.length, 2, 'the snapshot rewrote the file once');
  for (const group of groups) {
    const file = group.at(-1)!.fileBytes;
    const checkpointEnd = group[0]!.fileBytes.length;
    for (let cut = 0; cut <= file.length; cut++) {
      cuts++;
      const log = recording();
      const bytes = file.subarray(0, cut);
      if (cut < checkpointEnd) {
        // A file appears by rename with its checkpoint whole, so a shorter one is damage, not a crash.
        expectCorrupt(() => recover(FILE, bytes, ids, jsonCommands, log));
        continue;
      }
      const durable = group.filter((p) => p.fileBytes.length <= cut).at(-1)!;
      const r = recover(FILE, bytes, ids, jsonCommands, log);
      assert.deepEqual(r.state, durable.state, `cut at ${cut}`);
      assert.equal(r.validBytes, durable.fileBytes.length);
      assert.equal(log.warnings.length, cut === durable.fileBytes.length ? 0 : 1);
      if (log.warnings.length > 0) tornTails++;
    }
  }
  console.log(`crash cut points: ${cuts} (${tornTails} torn tails truncated)`);
  assert.ok(cuts > 500 && tornTails > 300);
  await rm(dir, { recursive: true });
});

test('a crash in the middle of a rewrite leaves the old file, whole', async () => {
  const { points, dir } = await recordSequence();
  const before = phases(points)[0]!.at(-1)!;
  const after = phases(points)[1]![0]!;
  let cuts = 0;
  for (let cut = 0; cut <= after.fileBytes.length; cut += 7) {
    cuts++;
    await writeFile(join(dir, WAL_FILE), before.fileBytes);
    await writeFile(join(dir, 'raft.wal.tmp'), after.fileBytes.subarray(0, cut));
    const storage = await FileStorage.open({ dir, ...ids });
    assert.deepEqual(storage.load(), before.state);
    await storage.close();
  }
  console.log(`rewrite cut points: ${cuts}`);
  await rm(dir, { recursive: true });
});

test('after a torn tail is truncated, new saves append where the durable data ends', async () => {
  const { points, dir } = await recordSequence();
  const group = phases(points)[1]!;
  const last = group.at(-1)!.fileBytes;
  await writeFile(join(dir, WAL_FILE), last.subarray(0, last.length - 3));
  const log = recording();
  const storage = await FileStorage.open({ dir, ...ids, logger: log });
  const recovered = storage.load();
  assert.deepEqual(recovered, group.at(-2)!.state);
  assert.match(log.warnings[0] ?? '', /truncating the \d+ bytes/);
  const next = { ...recovered!, currentTerm: term(9), log: { ...recovered!.log, entries: [...recovered!.log.entries, entry(9, 'later')] } };
  storage.save(next);
  await storage.close();
  const reopened = await FileStorage.open({ dir, ...ids });
  assert.deepEqual(reopened.load(), next);
  await reopened.close();
  await rm(dir, { recursive: true });
});

test('every flipped bit is an error naming the file and offset, or a torn last record', async () => {
  const { points, dir } = await recordSequence();
  let flips = 0;
  let errors = 0;
  for (const group of phases(points)) {
    const file = group.at(-1)!.fileBytes;
    const lastRecordStart = group.at(-2)?.fileBytes.length ?? Infinity;
    for (let at = 0; at < file.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        flips++;
        const bytes = file.slice();
        bytes[at]! ^= 1 << bit;
        const log = recording();
        // CRC-32 catches every single-bit error, so a flip can never yield a different state.
        if (at >= lastRecordStart) {
          // In the last record, damage looks exactly like a torn write: it goes, with a warning.
          assert.deepEqual(recover(FILE, bytes, ids, jsonCommands, log).state, group.at(-2)!.state);
          assert.equal(log.warnings.length, 1);
        } else {
          expectCorrupt(() => recover(FILE, bytes, ids, jsonCommands, log));
          errors++;
        }
      }
    }
  }
  console.log(`bit flips: ${flips} (${errors} stopped with an error, the rest truncated a torn last record)`);
  assert.ok(errors > flips / 2);
  await rm(dir, { recursive: true });
});

test('a record whose frame a power loss left as a hole is the torn tail when no whole record follows, and damage when one does', async () => {
  const { points, dir } = await recordSequence();
  const group = phases(points)[0]!;
  const file = group.at(-1)!.fileBytes;
  const lastStart = group.at(-2)!.fileBytes.length;
  const holed = file.slice();
  assert.ok(file.length - lastStart > 12);
  holed.fill(0, lastStart, lastStart + 12); // the block with the frame lost, the payload landed
  const log = recording();
  assert.deepEqual(recover(FILE, holed, ids, jsonCommands, log).state, group.at(-2)!.state);
  assert.match(log.warnings[0] ?? '', /no whole record after it/);
  const earlier = file.slice();
  const middleStart = group.at(-3)!.fileBytes.length;
  earlier.fill(0, middleStart, middleStart + 12);
  expectCorrupt(() => recover(FILE, earlier, ids, jsonCommands, recording()));
  await rm(dir, { recursive: true });
});

test('a file of another cluster or node, or an unusable directory, stops with an error', async () => {
  const bytes = walFile(ids, state(1, null, [entry(1, 'a')]));
  assert.throws(() => recover(FILE, bytes, { ...ids, clusterId: 78 }, jsonCommands, silentLogger), /raft\.wal at byte 5: belongs to cluster 77, not 78/);
  assert.throws(() => recover(FILE, bytes, { ...ids, nodeId: nodeId(3) }, jsonCommands, silentLogger), /raft\.wal at byte 9: belongs to node 2, not 3/);
  const dir = await mkdtemp(join(tmpdir(), 'raft-wal-'));
  await writeFile(join(dir, WAL_FILE), bytes);
  await assert.rejects(FileStorage.open({ dir, clusterId: 1, nodeId: nodeId(2) }), (e) => e instanceof StorageCorruptError && e.message.includes(join(dir, WAL_FILE)));
  await writeFile(join(dir, 'not-a-dir'), 'x');
  await assert.rejects(FileStorage.open({ dir: join(dir, 'not-a-dir'), ...ids }), StorageError);
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o500);
    await assert.rejects(FileStorage.open({ dir: join(dir, 'sub'), ...ids }), StorageError);
    await chmod(dir, 0o700);
  }
  await rm(dir, { recursive: true });
});
