// WAL preallocation (issue 12): the log file grows ahead of its records in chunks of zeros, records
// are written into that space, and recovery reads the zeros after the last record as the end of the
// log (no warning, nothing cut), while a record torn inside it is still cut with a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonCommands, logIndex, nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { FileStorage, WAL_FILE, recover } from '../../src/runtime/file-storage.ts';
import { silentLogger, type Logger } from '../../src/runtime/logger.ts';
import { FaultyFileSystem } from '../support/faulty-file-system.ts';

const ids = { clusterId: 12, nodeId: nodeId(3) };
const CHUNK = 4096;
const FILE = 'raft.wal';

/** A leader's saves: each appends a few commands; the snapshot object stays the same, so each save appends a batch. */
function appends(n: number, snapshot: Uint8Array, from = 0): PersistentState[] {
  return Array.from({ length: n }, (_, i) => ({
    currentTerm: term(2), votedFor: ids.nodeId, snapshot,
    log: { snapshotIndex: logIndex(from), snapshotTerm: term(from === 0 ? 0 : 2), entries: Array.from({ length: 3 * (i + 1) }, (_, k) => ({ term: term(2), command: `set key${from + k} ${'v'.repeat((from + k) % 40)}` })) },
  }));
}

function recording(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (m: string) => warnings.push(m), warnings };
}

/** Runs `body` in a new temporary directory, removed afterwards. */
async function inDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-prealloc-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Opened without preallocation, the directory's storage loads `state`. */
async function reopensTo(dir: string, state: PersistentState): Promise<void> {
  const storage = await FileStorage.open({ dir, ...ids });
  assert.deepEqual(storage.load(), state);
  await storage.close();
}

interface Point { readonly state: PersistentState; readonly file: Uint8Array; readonly dataEnd: number }

async function saveAll(dir: string, states: readonly PersistentState[]): Promise<Point[]> {
  const storage = await FileStorage.open({ dir, ...ids, preallocateBytes: CHUNK });
  const points: Point[] = [];
  for (const s of states) {
    storage.save(s);
    const file = new Uint8Array(await readFile(join(dir, WAL_FILE)));
    const log = recording();
    const r = recover(FILE, file, ids, jsonCommands, log);
    assert.deepEqual(log.warnings, [], 'a preallocated tail read as a torn write');
    assert.deepEqual(r.state, s);
    points.push({ state: s, file, dataEnd: r.validBytes });
  }
  await storage.close();
  return points;
}

test('saves land in preallocated space: the file grows only by whole chunks, and reopens without a cut', () => inDir(async (dir) => {
  const noSnapshot = new Uint8Array(0);
  const points = await saveAll(dir, appends(40, noSnapshot));
  const sizes = points.map((p) => p.file.length);
  assert.ok(sizes.every((n) => n % CHUNK === 0), `sizes ${sizes.join(' ')}`);
  // Most saves leave the size alone (so their fdatasync has no size to commit); a few extend it.
  const extensions = sizes.filter((n, i) => i > 0 && n !== sizes[i - 1]).length;
  assert.ok(extensions >= 1 && extensions < points.length / 4, `${extensions} extensions in ${points.length} saves`);
  assert.ok(points.every((p) => p.file.length >= p.dataEnd + 12));

  // Reopened: the zeros stay (nothing truncated), and the next save goes after the last record.
  const sizeBefore = (await stat(join(dir, WAL_FILE))).size;
  const log = recording();
  const reopened = await FileStorage.open({ dir, ...ids, preallocateBytes: CHUNK, logger: log });
  assert.deepEqual(log.warnings, []);
  assert.deepEqual(reopened.load(), points.at(-1)!.state);
  assert.equal((await stat(join(dir, WAL_FILE))).size, sizeBefore);
  const next = appends(41, noSnapshot).at(-1)!;
  reopened.save(next);
  await reopened.close();
  // Opened without preallocation, the file is cut to its log and appended to, as before preallocation.
  const again = await FileStorage.open({ dir, ...ids });
  assert.deepEqual(again.load(), next);
  const last = appends(42, noSnapshot).at(-1)!;
  again.save(last);
  await again.close();
  await reopensTo(dir, last);
}));

test('a snapshot rewrites the file preallocated too', () => inDir(async (dir) => {
  const snapshot = new TextEncoder().encode('the service state through index 30');
  const before = appends(10, new Uint8Array(0));
  const after = appends(5, snapshot, 30);
  const points = await saveAll(dir, [...before, ...after]);
  const rewritten = points[before.length]!;
  assert.ok(rewritten.file.length % CHUNK === 0 && rewritten.file.length > rewritten.dataEnd);
}));

test('a crash at every byte of a record written into preallocated space recovers the last durable state', () => inDir(async (dir) => {
  const points = await saveAll(dir, appends(12, new Uint8Array(0)));
  const final = points.at(-1)!.file;
  let cuts = 0;
  let torn = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const { dataEnd: from } = points[k]!;
    const { dataEnd: to } = points[k + 1]!;
    // The write of record k+1 stopped after `cut` bytes: what follows is the preallocated zeros.
    for (let cut = from; cut <= to; cut++) {
      cuts++;
      const image = new Uint8Array(Math.max(final.length, points[k + 1]!.file.length));
      image.set(final.subarray(0, cut));
      const log = recording();
      const r = recover(FILE, image, ids, jsonCommands, log);
      const durable = cut === to ? points[k + 1]! : points[k]!;
      assert.deepEqual(r.state, durable.state, `record ${k + 1} cut at ${cut}`);
      assert.equal(r.validBytes, durable.dataEnd);
      // A torn write is one of which some byte, not all, reads back: bytes that landed as zeros look like none.
      const landed = cut < to && final.subarray(from, cut).some((b) => b !== 0);
      assert.equal(log.warnings.length, landed ? 1 : 0, `record ${k + 1} cut at ${cut}: ${log.warnings.join(' ')}`);
      if (log.warnings.length > 0) torn++;
    }
  }
  assert.ok(cuts > 500 && torn > cuts / 2, `${cuts} cuts, ${torn} torn`);

  // On open, a torn record is cut off (and the zeros after it with it); the next save follows the last whole one.
  const k = 5;
  const image = new Uint8Array(final.length);
  image.set(final.subarray(0, points[k]!.dataEnd + 20));
  await writeFile(join(dir, WAL_FILE), image);
  const log = recording();
  const storage = await FileStorage.open({ dir, ...ids, preallocateBytes: CHUNK, logger: log });
  assert.deepEqual(storage.load(), points[k]!.state);
  assert.match(log.warnings[0] ?? '', /truncating/);
  storage.save(points[k + 1]!.state);
  await storage.close();
  await reopensTo(dir, points[k + 1]!.state);
}));

test('a preallocation the disk cuts short fails no save, and the next one never zeroes a record', () => inDir(async (dir) => {
  // Writes: 1 the first save's checkpoint; 2 its zeros, where the disk fills 10 bytes in, and 3 the
  // rest of them, refused; 4 the second save's zeros, refused; then space comes back: 5 its record,
  // 6 the third save's zeros (from the end of its record, not from where the zeros stopped), 7 its record.
  let writes = 0;
  const fs: FaultyFileSystem = new FaultyFileSystem((op) => {
    if (op.kind !== 'write') return null;
    if (++writes === 5) fs.free();
    return writes === 2 ? { type: 'full', bytes: 10 } : null;
  });
  const storage = await FileStorage.open({ dir, ...ids, fs, preallocateBytes: CHUNK });
  const states = appends(3, new Uint8Array(0));
  for (const state of states) storage.save(state);
  assert.equal(writes, 7, 'the writes were not the ones planned');
  await storage.close();
  await reopensTo(dir, states[2]!);
}));
