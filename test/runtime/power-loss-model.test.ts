// The power-loss model itself (test/support/power-loss-file-system.ts): what it lets a crash undo,
// and what it must not, so that the storage's power-loss test cannot pass by a model too kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { seededRandom } from '../../src/runtime/random.ts';
import { PowerLossFileSystem, crashStates, type CrashBounds, type DiskImage } from '../support/power-loss-file-system.ts';

const bounds: CrashBounds = { blockBytes: 4, exhaustiveBlocks: 4, sampledCombinations: 4, statesPerPoint: 1000 };
const root = '/d';
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function fileAfterCrash(fs: PowerLossFileSystem, path: string, count = fs.operations.length): Set<string> {
  return new Set(crashStates([root], fs.operations, count, bounds, seededRandom(1)).map((image: DiskImage) => {
    const inode = image.names.get(path);
    return inode === undefined ? 'absent' : Buffer.from(image.contents.get(inode) ?? []).toString();
  }));
}

test('a write is lost or kept block by block until its file is fsynced, then kept', () => {
  const fs = new PowerLossFileSystem([root]);
  const f = fs.open('/d/f', 'w');
  fs.open(root, 'r').sync();
  f.write(bytes('aaaabbbbcccc'), 0, 12, 0);
  const torn = fileAfterCrash(fs, '/d/f');
  for (const s of ['', 'aaaa', 'aaaabbbb', 'aaaabbbbcccc', 'aaaa\0\0\0\0cccc', '\0\0\0\0\0\0\0\0cccc']) assert.ok(torn.has(s), `missing ${JSON.stringify(s)}`);
  f.datasync();
  assert.deepEqual(fileAfterCrash(fs, '/d/f'), new Set(['aaaabbbbcccc']));
});

test('a new name, a rename and an unlink can be undone until their directory is fsynced, newest first', () => {
  const fs = new PowerLossFileSystem([root]);
  const t = fs.open('/d/tmp', constants.O_WRONLY | constants.O_CREAT);
  t.write(bytes('new!'), 0, 4, 0);
  t.sync();
  assert.deepEqual(fileAfterCrash(fs, '/d/tmp'), new Set(['absent', 'new!']), 'an fsync of the file does not make its name durable');
  fs.rename('/d/tmp', '/d/wal');
  assert.deepEqual(fileAfterCrash(fs, '/d/wal'), new Set(['absent', 'new!']));
  const d = fs.open(root, 'r');
  d.sync();
  assert.deepEqual(fileAfterCrash(fs, '/d/wal'), new Set(['new!']));
  fs.rm('/d/wal', { force: false });
  assert.deepEqual(fileAfterCrash(fs, '/d/wal'), new Set(['absent', 'new!']));
  d.sync();
  assert.deepEqual(fileAfterCrash(fs, '/d/wal'), new Set(['absent']));
});

test('a file in a directory whose own name is not durable goes with it', () => {
  const fs = new PowerLossFileSystem([root]);
  fs.mkdir('/d/data');
  const f = fs.open('/d/data/f', 'w');
  f.write(bytes('x'), 0, 1, 0);
  f.sync();
  fs.open('/d/data', 'r').sync();
  assert.ok(fileAfterCrash(fs, '/d/data/f').has('absent'));
  fs.open(root, 'r').sync();
  assert.deepEqual(fileAfterCrash(fs, '/d/data/f'), new Set(['x']));
});

test('a process crash keeps what the page cache held; a power loss after it keeps only what was synced', () => {
  const fs = new PowerLossFileSystem([root]);
  const f = fs.open('/d/f', 'w');
  fs.open(root, 'r').sync();
  f.write(bytes('abcd'), 0, 4, 0);
  const restarted = PowerLossFileSystem.afterProcessCrash([root], fs.operations);
  assert.equal(Buffer.from(restarted.readFile('/d/f')).toString(), 'abcd');
  assert.ok(fileAfterCrash(restarted, '/d/f').has(''));
});
