// Binary commands through `raft node --input base64`: bytes that text mode would split at a newline
// or replace (not UTF-8) reach the log whole and come back from --print-applied as they went in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommands, commandOfInput } from '../../src/cli/command-input.ts';
import type { NodeEvent } from '../../src/cli/node-events.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';
import { jsonCommands, nodeId } from '../../src/machine/index.ts';

const binary = new Uint8Array([0, 10, 13, 0xff, 0xfe, 0x80, 0x0a, 0x41]); // NUL, newlines, not UTF-8

test('the command codec keeps bytes as bytes and reads JSON commands written before it as before', () => {
  for (const command of [binary, new Uint8Array(), 'text', { a: [1, 'b'] }, 7]) {
    assert.deepEqual(cliCommands.decode(cliCommands.encode(command)), command);
  }
  assert.deepEqual(cliCommands.decode(jsonCommands.encode({ old: 'log' })), { old: 'log' });
});

test('base64 input takes only canonical base64; text input stays one line, one command', () => {
  assert.deepEqual(commandOfInput(Buffer.from(binary).toString('base64'), 'base64'), { command: binary });
  for (const bad of ['not base64!', 'QQ', 'QR==', 'QQ==QQ==']) assert.ok('invalid' in commandOfInput(bad, 'base64'), bad);
  assert.deepEqual(commandOfInput('{"x":1}', 'text'), { command: { x: 1 } });
});

test('raft node --input base64: a binary command is committed and printed back byte for byte; a bad line is refused and the node goes on', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-base64-'));
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', () => ok()));
  const port = socket.address().port;
  await new Promise<void>((ok) => socket.close(() => ok()));
  let events: NodeEvent[] = [];
  let changed = () => {};
  const start = () => new NodeProcess({
    id: nodeId(1), peers: `1=127.0.0.1:${port}`, dataDir: dir, clusterId: 5, flags: ['--insecure-no-auth', '--input', 'base64', '--print-applied'],
    onEvent: (e) => { events.push(e); changed(); },
  });
  let node = start();
  // A guard, not a measurement: a node that never gets there must still be stopped by `finally`.
  const until = (what: string, done: () => boolean) => new Promise<void>((ok, fail) => {
    const guard = setTimeout(() => fail(new Error(`no ${what} within 10 s`)), 10_000);
    const check = () => { if (done()) { clearTimeout(guard); ok(); } };
    changed = check;
    void node.exited.then(() => fail(new Error(`node exited waiting for ${what}`)));
    check();
  });
  const appliedCommands = () => events.flatMap((e) => (e.event === 'applied' ? [e.command] : []));
  try {
    await until('leadership', () => events.some((e) => e.event === 'status' && e.role === 'leader'));
    const encoded = Buffer.from(binary).toString('base64');
    const bad = node.propose('%%% not base64');
    const good = node.propose(encoded);
    await until('the ack', () => events.some((e) => e.event === 'ack' && e.line === good));
    assert.deepEqual(events.find((e) => e.event === 'invalid'), { event: 'invalid', line: bad, reason: 'not canonical base64 (RFC 4648, with padding)' });
    assert.deepEqual(appliedCommands(), [encoded]);
    // Read back from the disk: the storage keeps the bytes too. The restarted leader commits its
    // old entry with the first entry of its new term.
    await node.stop();
    events = [];
    node = start();
    await until('leadership after the restart', () => events.some((e) => e.event === 'status' && e.role === 'leader'));
    const next = node.propose('AA==');
    await until('the second ack', () => events.some((e) => e.event === 'ack' && e.line === next));
    assert.deepEqual(appliedCommands(), [encoded, 'AA==']);
  } finally {
    await node.stop();
    await rm(dir, { recursive: true });
  }
});
