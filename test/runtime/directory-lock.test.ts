// One process per data directory: a second opener is refused, naming the holder, before it touches
// anything; a lock whose holder is dead is taken over; close releases it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { logIndex, nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { DirectoryInUseError, LOCK_FILE } from '../../src/runtime/directory-lock.ts';
import { FileStorage, StorageCorruptError, WAL_FILE } from '../../src/runtime/file-storage.ts';
import { silentLogger, type Logger } from '../../src/runtime/logger.ts';

const ids = { clusterId: 5, nodeId: nodeId(1) };
const noSnapshot = new Uint8Array(0);
const withEntries = (n: number): PersistentState => ({
  currentTerm: term(1), votedFor: ids.nodeId, snapshot: noSnapshot,
  log: { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: Array.from({ length: n }, (_, k) => ({ term: term(1), command: `c${k}` })) },
});

/** Every file of `dir` with its bytes. */
async function contents(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) out.set(name, (await readFile(join(dir, name))).toString('hex'));
  return out;
}

function recording(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (m: string) => warnings.push(m), warnings };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((done) => child.on('exit', done));
  return child.pid!;
}

test('a second open of a directory in use is refused, naming the holder, and changes nothing on disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-lock-'));
  const first = await FileStorage.open({ dir, ...ids });
  assert.equal(await readFile(join(dir, LOCK_FILE), 'utf8'), `${process.pid} ${hostname()}\n`);
  first.save(withEntries(0));
  first.save(withEntries(3));
  // What a second opener would wrongly "repair" under the live holder: a rewrite's temp file and a torn tail.
  await writeFile(join(dir, 'raft.wal.tmp'), 'a rewrite in progress');
  await appendFile(join(dir, WAL_FILE), Uint8Array.of(9, 0, 0));
  const before = await contents(dir);
  await assert.rejects(FileStorage.open({ dir, ...ids }), (e) => e instanceof DirectoryInUseError
    && e.message === `data directory ${dir} is in use by process ${process.pid} (${LOCK_FILE})`);
  assert.deepEqual(await contents(dir), before);

  await first.close();
  assert.deepEqual((await readdir(dir)).includes(LOCK_FILE), false, 'close left the lock');
  const second = await FileStorage.open({ dir, ...ids });
  assert.deepEqual(second.load(), withEntries(3));
  await second.close();
  await rm(dir, { recursive: true });
});

test('a lock whose holder has exited, or that names no process, is taken over with a warning', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-lock-'));
  const pid = await deadPid();
  for (const stale of [`${pid} ${hostname()}\n`, '']) {
    await writeFile(join(dir, LOCK_FILE), stale);
    const log = recording();
    const storage = await FileStorage.open({ dir, ...ids, logger: log });
    assert.equal(await readFile(join(dir, LOCK_FILE), 'utf8'), `${process.pid} ${hostname()}\n`);
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0]!, stale === '' ? /an empty lock/ : new RegExp(`process ${pid} holds the lock but no longer exists; taking it over`));
    await storage.close();
  }
  await rm(dir, { recursive: true });
});

test('a lock of another host is respected; a failed open releases the lock it took', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-lock-'));
  await writeFile(join(dir, LOCK_FILE), `${await deadPid()} elsewhere.example\n`);
  await assert.rejects(FileStorage.open({ dir, ...ids }), (e) => e instanceof DirectoryInUseError && / on elsewhere\.example \(raft\.lock\)$/.test(e.message));
  await rm(join(dir, LOCK_FILE));
  await writeFile(join(dir, WAL_FILE), 'not a log');
  await assert.rejects(FileStorage.open({ dir, ...ids }), StorageCorruptError);
  assert.deepEqual(await readdir(dir), [WAL_FILE]);
  await rm(dir, { recursive: true });
});
