// `raft cluster` driven through its stdin as a user would: propose, kill -9 the leader, see a new
// one, restart the old one from its disk, quit; every child process is gone afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freeRun } from '../support/local-cluster.ts';

const RAFT = fileURLToPath(new URL('../../bin/raft.mjs', import.meta.url));

test('raft cluster: propose, kill -9 the leader, restart it, quit cleanly', { timeout: 90_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-cluster-cli-'));
  const base = await freeRun(3);
  const child = spawn(process.execPath, [RAFT, 'cluster', '--nodes', '3', '--data', dir, '--base-port', String(base)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      const m = line.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const next = (re: RegExp) => new Promise<RegExpMatchArray>((resolve) => waiters.push({ re, resolve }));
  /** A line matching `re`, already printed or still to come. */
  const printed = (re: RegExp) => {
    const m = lines.map((l) => l.match(re)).find((x) => x !== null);
    return m ? Promise.resolve(m) : next(re);
  };
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const pids = new Set<number>();
  const rowPid = /^([1-3])\s+(\d+)\s+/;
  const seenPids = () => lines.map((l) => l.match(rowPid)).filter((m) => m !== null).forEach((m) => pids.add(Number(m[2])));
  try {
    const first = (await next(/node (\d) is leader in term/))[1]!;
    const committed = next(/"hello from the test" committed at index (\d+)/);
    child.stdin!.write('hello from the test\n');
    await committed;
    // The table redraws on a timer: wait until it has shown the leader's process, so its pid is
    // among those checked at the end however fast the rest goes.
    await printed(new RegExp(`^${first}\\s+\\d+\\s+running\\s+leader`));

    const killed = next(new RegExp(`node ${first} killed with SIGKILL`));
    const newLeader = next(new RegExp(`node [^${first}] is leader in term`));
    child.stdin!.write(`kill ${first}\n`);
    await killed;
    await newLeader;

    const back = next(new RegExp(`^${first}\\s+\\d+\\s+running\\s+follower`));
    child.stdin!.write(`restart ${first}\n`);
    await back;
    seenPids();

    child.stdin!.write('quit\n');
    assert.equal(await exited, 0);
    assert.ok(lines.some((l) => /all nodes stopped/.test(l)));
    assert.ok(pids.size >= 4, `saw ${pids.size} node processes`);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), `node process ${pid} is still running`);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
