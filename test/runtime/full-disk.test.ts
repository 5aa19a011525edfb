// A real full disk: a 64 KiB tmpfs filled through FileStorage until the kernel answers ENOSPC
// (after short writes, as it does when a write crosses into the last free page). Mounting needs
// root with CAP_SYS_ADMIN, which CI has; elsewhere the test skips and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logIndex, nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { FileStorage, StorageWriteError, WAL_FILE } from '../../src/runtime/file-storage.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';
import { freePorts, until } from '../support/local-cluster.ts';

const ids = { clusterId: 9, nodeId: nodeId(1) };

function mount(dir: string, options: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs (uid ${process.getuid?.()}): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

/**
 * Runs `body` on a 64 KiB tmpfs mounted at a new directory, or skips saying why it cannot mount.
 * What `body` hands to `beforeUnmount` runs before the unmount even when an assertion fails: an
 * open file or a running node keeps the mount busy.
 */
async function onSmallTmpfs(t: { skip(message: string): void }, body: (dir: string, beforeUnmount: (cleanup: () => Promise<unknown>) => void) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-full-disk-'));
  const refused = mount(dir, 'size=64k');
  if (refused !== null) {
    await rm(dir, { recursive: true });
    t.skip(refused);
    return;
  }
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await body(dir, (cleanup) => cleanups.push(cleanup));
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true });
  }
}

test('a tmpfs filled to ENOSPC: the failure is fatal and names the file, and after space is freed a restart recovers every acknowledged save', (t) => onSmallTmpfs(t, async (dir, beforeUnmount) => {
    const data = join(dir, 'node');
    const storage = await FileStorage.open({ dir: data, ...ids });
    beforeUnmount(() => storage.close());
    const snapshot = new Uint8Array(0);
    const at = (n: number): PersistentState => ({
      currentTerm: term(1), votedFor: ids.nodeId, snapshot,
      log: { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: Array.from({ length: n }, (_, k) => ({ term: term(1), command: `entry ${k} ${'x'.repeat(200 + (k % 37))}` })) },
    });
    let acknowledged = null as PersistentState | null;
    let failure: unknown = null;
    for (let n = 0; failure === null; n++) {
      assert.ok(n < 10_000, 'a 64 KiB file system never filled');
      const s = at(n);
      try {
        storage.save(s);
        acknowledged = s;
      } catch (err) {
        failure = err;
      }
    }
    assert.ok(failure instanceof StorageWriteError, String(failure));
    assert.match(failure.message, /ENOSPC/);
    assert.equal(failure.file, join(data, WAL_FILE));
    assert.notEqual(acknowledged, null);
    execFileSync('mount', ['-o', 'remount,size=1m', dir]);
    assert.throws(() => storage.save(at(0)), (e) => e === failure, 'the storage took a save after a failed one');
    await storage.close(); // the restart: the directory is locked while it is open
    const reopened = await FileStorage.open({ dir: data, ...ids });
    beforeUnmount(() => reopened.close());
    assert.deepEqual(reopened.load(), acknowledged);
    console.log(`full disk: ${acknowledged!.log.entries.length} entries acknowledged before ENOSPC, all recovered`);
}));

test('`raft node` on a full disk exits 1 naming the file, and restarted with space it still holds every acknowledged line', { timeout: 60_000 }, (t) => onSmallTmpfs(t, async (dir, beforeUnmount) => {
    const [port] = await freePorts(1);
    const options = { id: nodeId(1), peers: `1=127.0.0.1:${port}`, dataDir: join(dir, 'node'), clusterId: ids.clusterId, flags: ['--insecure-no-auth'] };
    const line = (n: number) => `line ${n} ${'y'.repeat(250)}`;
    const acked = new Map<number, number>(); // index -> stdin line
    let leader = false;
    let exit: number | null = null;
    const stderr: string[] = [];
    const first = new NodeProcess({
      ...options,
      onEvent: (e) => {
        if (e.event === 'status' && e.role === 'leader') leader = true;
        if (e.event === 'ack') acked.set(e.index, e.line);
      },
      onStderr: (l) => stderr.push(l),
      onExit: (code) => { exit = code; },
    });
    beforeUnmount(() => first.kill());
    await until('a leader', () => leader);
    // Some lines one at a time, so that some are acknowledged however the rest batch under load;
    // then enough at once to fill the disk.
    for (let n = 1; n <= 10; n++) {
      first.propose(line(n));
      await until(`line ${n} acknowledged`, () => acked.size >= n);
    }
    for (let n = 11; n <= 1000; n++) first.propose(line(n));
    await first.exited;
    assert.equal(exit, 1, `exit ${exit}; stderr: ${stderr.join(' | ')}`);
    assert.ok(stderr.some((l) => l.includes(join(options.dataDir, WAL_FILE)) && l.includes('ENOSPC')), stderr.join('\n'));
    assert.ok(acked.size > 0);

    execFileSync('mount', ['-o', 'remount,size=1m', dir]);
    const applied = new Map<number, unknown>();
    leader = false;
    const second = new NodeProcess({
      ...options, flags: ['--insecure-no-auth', '--print-applied'],
      onEvent: (e) => {
        if (e.event === 'status' && e.role === 'leader') leader = true;
        if (e.event === 'applied') applied.set(e.index, e.command);
      },
    });
    beforeUnmount(() => second.kill());
    // The old entries commit with the first entry of the new term (§5.4.2).
    await until('a leader after the restart', () => leader);
    second.propose('after the restart');
    const last = Math.max(...acked.keys());
    await until('the acknowledged lines applied again', () => applied.has(last));
    for (const [index, n] of acked) assert.equal(applied.get(index), line(n), `index ${index}`);
    console.log(`raft node: ${acked.size} lines acknowledged before ENOSPC, all applied again after the restart`);
}));
