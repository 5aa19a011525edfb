// Issue 11.2 from the command line: `raft cluster` with its default settings keys its nodes, so
// forged datagrams sent from a crashed member's address do not move the others; `raft node` will
// not run keyless unless told so by name, and never keyless off loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { crc32, logIndex, nodeId, term, type Message } from '../../src/machine/index.ts';
import { CLUSTER_KEY_FILE, runCluster } from '../../src/cli/cluster-command.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';
import { runNode } from '../../src/cli/node-command.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { createWireCodec } from '../../src/runtime/wire-codec.ts';
import { freePorts, freeRun, until } from '../support/local-cluster.ts';

const RAFT = fileURLToPath(new URL('../../bin/raft.mjs', import.meta.url));

function raft(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [RAFT, ...args], { timeout: 30_000, env }, (err, _stdout, stderr) => {
      done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr });
    });
    child.stdin?.end();
  });
}

test('raft node without a key refuses to start, and keyless only on loopback when asked by name; raft cluster takes a key or --insecure-no-auth, not both', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-auth-cli-'));
  const { RAFT_KEY: _ignored, ...keyless } = process.env;
  const [port] = await freePorts(1);
  const data = join(dir, 'data');
  const refuses = (args: string[], message: RegExp) => assert.rejects(runNode(['--id', '1', '--data', data, ...args]), (e) => e instanceof UsageError && message.test(e.message));
  try {
    const none = await raft(['node', '--id', '1', '--peers', `1=127.0.0.1:${port}`, '--data', data], keyless);
    assert.equal(none.code, 2);
    assert.equal(none.stderr.split('\n')[0], "raft: no key: give the cluster key with --key-file PATH or RAFT_KEY (or, on loopback only, run without one with --insecure-no-auth) (try 'raft node --help')");
    const wide = await raft(['node', '--id', '1', '--peers', '1=0.0.0.0:7001,2=10.0.0.2:7001', '--data', data, '--insecure-no-auth'], keyless);
    assert.equal(wide.code, 2);
    assert.equal(wide.stderr.split('\n')[0], "raft: --insecure-no-auth is refused on 0.0.0.0, which is not a loopback address: give the cluster a key with --key-file (try 'raft node --help')");

    const keyFile = join(dir, 'key');
    await writeFile(keyFile, 'sixteen bytes ok', { mode: 0o600 });
    await writeFile(join(dir, 'short'), 'fifteen bytes!!', { mode: 0o600 });
    await refuses(['--peers', '1=[2001:db8::1]:7001', '--insecure-no-auth'], /--insecure-no-auth is refused on 2001:db8::1/);
    await refuses(['--peers', `1=127.0.0.1:${port}`, '--insecure-no-auth', '--key-file', keyFile], /--insecure-no-auth with a key \(--key-file\): choose one/);
    await refuses(['--peers', `1=127.0.0.1:${port}`, '--key-file', join(dir, 'short')], /--key-file: .*short holds 15 bytes; use at least 16/);
    await refuses(['--peers', `1=127.0.0.1:${port}`, '--key-file', keyFile, '--accept-key-file', join(dir, 'missing')], /--accept-key-file: cannot read .*missing \(ENOENT\)/);
    assert.equal(existsSync(data), false, 'a refused start created the data directory');
    await assert.rejects(runCluster(['--insecure-no-auth', '--key-file', keyFile, '--data', data]), (e) => e instanceof UsageError && /--insecure-no-auth with a key \(--key-file\): choose one/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('raft node warns at start when it runs keyless, or when its key file is readable by others', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-auth-warn-'));
  const keyFile = join(dir, 'key');
  await writeFile(keyFile, 'a key of the cluster, 32 bytes!!');
  await chmod(keyFile, 0o644);
  const ports = await freePorts(2);
  const started = (flags: string[], i: number) => {
    const stderr: string[] = [];
    let ready = false;
    const node = new NodeProcess({
      id: nodeId(1), peers: `1=127.0.0.1:${ports[i]}`, dataDir: join(dir, String(i)), clusterId: 3, flags,
      onEvent: (e) => { if (e.event === 'ready') ready = true; }, onStderr: (line) => stderr.push(line),
    });
    return { node, stderr, ready: () => ready };
  };
  const insecure = started(['--insecure-no-auth'], 0);
  const readable = started(['--key-file', keyFile], 1);
  try {
    for (const n of [insecure, readable]) await until('the node to start', n.ready);
    assert.match(insecure.stderr.join('\n'), /AUTHENTICATION IS OFF \(--insecure-no-auth\)/);
    assert.match(readable.stderr.join('\n'), /--key-file: .*key can be read by other users \(mode 644\); chmod 600 it/);
  } finally {
    await Promise.all([insecure.node.stop(), readable.node.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
});

test('raft cluster with its default settings keys its nodes: forgeries from a crashed member\'s address move nothing', { timeout: 90_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-auth-cluster-'));
  const base = await freeRun(3);
  const ports = [base, base + 1, base + 2];
  const { RAFT_KEY: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [RAFT, 'cluster', '--nodes', '3', '--data', dir, '--base-port', String(base)], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const seen = (re: RegExp) => lines.map((l) => l.match(re)).find((m) => m !== null) ?? undefined;
  let stopped = false;
  let outsider = dgram.createSocket('udp4');
  let bound: boolean | undefined = false;
  const tryBind = (port: number) => {
    bound = undefined;
    outsider.once('error', () => { outsider = dgram.createSocket('udp4'); bound = false; });
    outsider.bind(port, '127.0.0.1', () => { bound = true; });
  };
  try {
    const [, leader, leaderTerm] = await until('a leader', () => seen(/node (\d) is leader in term (\d+)/), 30_000);
    const keyFile = join(dir, CLUSTER_KEY_FILE);
    const keyStat = await stat(keyFile);
    assert.equal(keyStat.mode & 0o777, 0o600);
    assert.equal(keyStat.size, 32);
    const pid = Number((await until('a node\'s pid in the table', () => seen(/^\d\s+(\d+)\s+running/)))[1]);
    if (existsSync(`/proc/${pid}/cmdline`)) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.equal(argv[argv.indexOf('--key-file') + 1], keyFile, 'the node is given the key file');
      assert.ok(!argv.join(' ').includes(readFileSync(keyFile).toString('latin1')), 'the key itself is on no command line');
    }

    // A follower crashes; an outsider takes its address and speaks for it, without the key.
    const crashed = nodeId(leader === '1' ? 2 : 1);
    child.stdin!.write(`kill ${crashed}\n`);
    await until('the follower killed', () => seen(new RegExp(`node ${crashed} killed with SIGKILL`)));
    // The port is free once the killed process is gone.
    await until('the crashed node\'s port', () => {
      if (bound === false) tryBind(ports[crashed - 1]!);
      return bound === true;
    });
    const members = [1, 2, 3].map(nodeId);
    const codec = createWireCodec({ clusterId: crc32(new TextEncoder().encode(resolve(dir))), self: crashed, members });
    const t = term(Number(leaderTerm));
    const targets = members.filter((m) => m !== crashed);
    for (let i = 0; i < 20; i++) {
      for (const to of targets) {
        const forged: Message[] = [
          { type: 'RequestVote', term: term(2 ** 40), from: crashed, to, lastLogIndex: logIndex(1_000_000), lastLogTerm: term(2 ** 40) },
          { type: 'AppendEntries', term: t, from: crashed, to, prevLogIndex: logIndex(0), prevLogTerm: term(0), entries: [{ term: t, command: 'forged' }], leaderCommit: logIndex(1) },
        ];
        for (const m of forged) outsider.send(codec.encode(m)[0]!, ports[to - 1]!, '127.0.0.1');
      }
    }

    let proposals = 0;
    await until('a proposal committed after the forgeries', () => {
      if (seen(/"after the forgeries" committed at index/)) return true;
      if (lines.filter((l) => /"after the forgeries" refused|no leader right now/.test(l)).length >= proposals) {
        child.stdin!.write('after the forgeries\n');
        proposals++;
      }
      return false;
    }, 30_000);
    const terms = lines.flatMap((l) => [...l.matchAll(/is leader in term (\d+)/g)].map((m) => Number(m[1])));
    assert.ok(terms.every((x) => x < 1000), `leaders' terms: ${terms.join(', ')}: a forged term was adopted`);
    for (const to of targets) {
      await until(`node ${to} to report the forgeries`, () => seen(new RegExp(`node ${to}: .*dropped \\d+ datagrams? failing authentication .*[1-9]\\d* with a bad MAC`)));
    }
    child.stdin!.write('quit\n');
    await new Promise<void>((done) => child.on('exit', () => done()));
    stopped = true;
  } finally {
    outsider.close();
    child.kill('SIGKILL');
    // A SIGKILLed raft cluster leaves its nodes running: on a failure, end them too.
    const pids = new Set(lines.map((l) => l.match(/^\d\s+(\d+)\s+/)).filter((m) => m !== null).map((m) => Number(m[1])));
    if (!stopped) for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await rm(dir, { recursive: true, force: true });
  }
});
