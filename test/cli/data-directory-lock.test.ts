// `raft node` twins on one data directory: one that fails on its port in use and one on another
// port are both refused, the directory unchanged, while the first runs on and restarts fine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeId } from '../../src/machine/index.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';
import type { NodeEvent } from '../../src/cli/node-events.ts';
import { LOCK_FILE } from '../../src/runtime/directory-lock.ts';
import { WAL_FILE } from '../../src/runtime/file-storage.ts';
import { freePorts, until } from '../support/local-cluster.ts';

async function contents(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) out.set(name, (await readFile(join(dir, name))).toString('hex'));
  return out;
}

interface Started { readonly process: NodeProcess; readonly events: NodeEvent[]; readonly stderr: string[]; exitCode: number | null | undefined }

function start(peers: string, dir: string): Started {
  const s: Started = { process: null as unknown as NodeProcess, events: [], stderr: [], exitCode: undefined };
  (s as { process: NodeProcess }).process = new NodeProcess({
    id: nodeId(1), peers, dataDir: dir, clusterId: 1, flags: ['--insecure-no-auth'],
    onEvent: (e) => s.events.push(e), onStderr: (l) => s.stderr.push(l), onExit: (code) => { s.exitCode = code; },
  });
  return s;
}

const leader = (s: Started) => s.events.some((e) => e.event === 'status' && e.role === 'leader');

test('a twin raft node on a data directory in use exits 1 naming the holder and changes nothing; the first runs on', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-twin-'));
  const [port, other] = await freePorts(2);
  const running: Started[] = [];
  const launch = (p: number) => { const s = start(`1=127.0.0.1:${p}`, dir); running.push(s); return s; };
  try {
    const first = launch(port!);
    await until('the first node to lead', () => leader(first));
    const line = first.process.propose('before');
    await until('the first ack', () => first.events.some((e) => e.event === 'ack' && e.line === line));
    // What a twin would wrongly "repair" under the live node: a rewrite's temp file and a torn tail.
    await writeFile(join(dir, 'raft.wal.tmp'), 'a rewrite in progress');
    const walBytes = (await stat(join(dir, WAL_FILE))).size;
    await appendFile(join(dir, WAL_FILE), Uint8Array.of(9, 0, 0));
    const before = await contents(dir);

    for (const twinPort of [port!, other!]) {
      const twin = launch(twinPort);
      await until(`the twin on port ${twinPort} to exit`, () => twin.exitCode !== undefined || twin.events.some((e) => e.event === 'ready'));
      assert.equal(twin.exitCode, 1, `the twin on port ${twinPort} ran`);
      const why = twinPort === port ? new RegExp(`port ${port} is in use`) : new RegExp(`data directory ${dir} is in use by process ${first.process.pid} \\(${LOCK_FILE}\\)`);
      assert.match(twin.stderr.join('\n'), why);
      assert.deepEqual(await contents(dir), before, `the twin on port ${twinPort} changed the directory`);
    }

    assert.equal(first.process.running, true);
    // The planted damage goes before the first node appends again, or it would sit mid-file.
    await rm(join(dir, 'raft.wal.tmp'));
    await truncate(join(dir, WAL_FILE), walBytes);
    const after = first.process.propose('after the twins');
    await until('an ack after the twins', () => first.events.some((e) => e.event === 'ack' && e.line === after));
    await first.process.stop();
    assert.equal(first.exitCode, 0);
    assert.equal((await readdir(dir)).includes(LOCK_FILE), false, 'SIGTERM left the lock');
    const again = launch(port!);
    await until('the restarted node to lead with its entry', () => again.events.some((e) => e.event === 'status' && e.role === 'leader' && e.logLength >= 2));
    // SIGKILL leaves the lock; the next start takes it over.
    await again.process.kill();
    assert.equal((await readdir(dir)).includes(LOCK_FILE), true);
    const third = launch(port!);
    await until('the node after a SIGKILL to lead', () => leader(third));
    assert.ok(third.stderr.some((l) => l.includes(`process ${again.process.pid} holds the lock but no longer exists; taking it over`)), third.stderr.join('\n'));
  } finally {
    for (const s of running) await s.process.stop();
    await rm(dir, { recursive: true });
  }
});
