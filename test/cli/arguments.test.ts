// Every bad argument gets one clear sentence and a non-zero exit, before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCluster } from '../../src/cli/cluster-command.ts';
import { runNode } from '../../src/cli/node-command.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { StorageError } from '../../src/runtime/file-storage.ts';
import { TransportError } from '../../src/runtime/udp-transport.ts';
import { MAX_COMMAND_BYTES_LIMIT } from '../../src/runtime/wire-codec.ts';

const RAFT = fileURLToPath(new URL('../../bin/raft.mjs', import.meta.url));

function raft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [RAFT, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** A port nothing listens on now (the kernel's pick, released). */
async function freePort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', () => ok()));
  const { port } = socket.address();
  await new Promise<void>((ok) => socket.close(() => ok()));
  return port;
}

test('the raft command: help exits 0, a bad argument exits 2 with one line that points to --help', async () => {
  const [help, bad] = await Promise.all([raft('node', '--help'), raft('node', '--id', '3', '--peers', '1=127.0.0.1:7001,2=127.0.0.1:7002', '--data', 'x')]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: raft node --id N --peers/);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "raft: --id 3 is not one of the --peers (1, 2) (try 'raft node --help')\n");
});

test('each bad argument of raft node and raft cluster is refused with a clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-cli-'));
  const busy = dgram.createSocket('udp4');
  await new Promise<void>((ok) => busy.bind(0, '127.0.0.1', () => ok()));
  const port = busy.address().port;
  await writeFile(join(dir, 'file'), 'not a directory');
  const peers = `1=127.0.0.1:${port},2=127.0.0.1:1`;
  const refuses = (run: Promise<void>, kind: new (...a: never[]) => Error, message: RegExp) =>
    assert.rejects(run, (e) => e instanceof kind && message.test(e.message));
  try {
    await refuses(runNode(['--id', '3', '--peers', peers, '--data', dir]), UsageError, /--id 3 is not one of the --peers \(1, 2\)/);
    await refuses(runNode(['--id', '1', '--peers', peers, '--data', join(dir, 'a'), '--insecure-no-auth']), TransportError, new RegExp(`port ${port} is in use`));
    assert.equal(existsSync(join(dir, 'a')), false, 'a start that failed on its port created the data directory');
    await refuses(runNode(['--id', '1', '--peers', `1=127.0.0.1:${await freePort()}`, '--data', join(dir, 'file', 'x'), '--insecure-no-auth']), StorageError, /cannot use data directory .*file\/x/);
    await refuses(runNode(['--id', '1', '--peers', '1=127.0.0.1', '--data', dir]), UsageError, /"1=127\.0\.0\.1" is not ID=HOST:PORT/);
    await refuses(runNode(['--id', '1', '--peers', '1=127.0.0.1:1,1=127.0.0.1:2', '--data', dir]), UsageError, /node 1 is listed twice/);
    await refuses(runNode(['--id', '1', '--peers', '1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7001', '--data', dir]), UsageError, /--peers: nodes 1 and 3 have the same address 127\.0\.0\.1:7001/);
    for (const clusterId of [['--cluster-id', '-1'], ['--cluster-id=-1'], ['--cluster-id', '-1.5'], ['--cluster-id', '4294967296']]) {
      const value = clusterId.at(-1)!.replace('--cluster-id=', '');
      const said = new RegExp(`^--cluster-id must be an integer in 0\\.\\.4294967295, got "${value.replace('.', '\\.')}"$`);
      await refuses(runNode(['--id', '1', '--peers', peers, '--data', dir, ...clusterId]), UsageError, said);
      await refuses(runCluster(clusterId), UsageError, said);
    }
    await refuses(runNode(['--id', '1', '--peers', peers, '--data', dir, '--input', 'hex']), UsageError, /--input must be text or base64, got "hex"/);
    await refuses(runNode(['--id', '1', '--peers', peers]), UsageError, /--data is required/);
    await refuses(runNode(['--id', '1', '--peers', peers, '--data', dir, '--key-file', join(dir, 'missing')]), UsageError, /--key-file: cannot read .*missing \(ENOENT\)/);
    await refuses(runNode(['--id', '1', '--peers', peers, '--data', join(dir, 'b'), '--max-command-bytes', String(MAX_COMMAND_BYTES_LIMIT + 1), '--insecure-no-auth']), UsageError,
      new RegExp(`^--max-command-bytes must be an integer in 1\\.\\.${MAX_COMMAND_BYTES_LIMIT}, got "${MAX_COMMAND_BYTES_LIMIT + 1}"$`));
    assert.equal(existsSync(join(dir, 'b')), false, 'a start refused for its command size created the data directory');
    await refuses(runNode(['--frobnicate']), UsageError, /Unknown option '--frobnicate'/);
    await refuses(runCluster(['--nodes', 'many']), UsageError, /--nodes must be an integer in 1\.\.9, got "many"/);
    await refuses(runCluster(['--host', '10.1.2.3']), UsageError, /--host must be a loopback address/);
  } finally {
    busy.close();
    await rm(dir, { recursive: true });
  }
});
