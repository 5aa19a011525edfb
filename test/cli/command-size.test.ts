// Issue 11.5 on `raft node`'s stdin: a line whose command is above --max-command-bytes gets a clear
// refusal, and the node keeps running and committing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeId } from '../../src/machine/index.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';
import type { NodeEvent } from '../../src/cli/node-events.ts';
import { DEFAULT_MAX_COMMAND_BYTES } from '../../src/runtime/wire-codec.ts';
import { freePorts, until } from '../support/local-cluster.ts';

test('raft node refuses a stdin line above the maximum command size with a clear event and keeps committing', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-command-size-'));
  const [port] = await freePorts(1);
  const events: NodeEvent[] = [];
  const node = new NodeProcess({ id: nodeId(1), peers: `1=127.0.0.1:${port}`, dataDir: dir, clusterId: 1, flags: ['--insecure-no-auth'], onEvent: (e) => events.push(e) });
  try {
    await until('the node to lead', () => events.some((e) => e.event === 'status' && e.role === 'leader'));
    const max = DEFAULT_MAX_COMMAND_BYTES;
    // A line that is not JSON is proposed as a JSON string: two bytes of quotes more.
    const tooLong = node.propose('x'.repeat(max - 1));
    const longest = node.propose('y'.repeat(max - 2));
    await until('the longest line committed', () => events.some((e) => e.event === 'ack' && e.line === longest));
    assert.deepEqual(events.find((e) => 'line' in e && e.line === tooLong), { event: 'oversized', line: tooLong, bytes: max + 1, maxBytes: max });
    assert.ok(node.running);
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('with --input base64 a command is measured by its bytes, against a lowered --max-command-bytes', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-command-size-'));
  const [port] = await freePorts(1);
  const events: NodeEvent[] = [];
  const node = new NodeProcess({
    id: nodeId(1), peers: `1=127.0.0.1:${port}`, dataDir: dir, clusterId: 1, flags: ['--insecure-no-auth', '--input', 'base64', '--max-command-bytes', '50'],
    onEvent: (e) => events.push(e),
  });
  const base64Of = (n: number) => Buffer.alloc(n, 0xfe).toString('base64');
  try {
    await until('the node to lead', () => events.some((e) => e.event === 'status' && e.role === 'leader'));
    // A byte command is stored as a marker byte and its bytes.
    const tooLong = node.propose(base64Of(50));
    const longest = node.propose(base64Of(49));
    await until('the longest command committed', () => events.some((e) => e.event === 'ack' && e.line === longest));
    assert.deepEqual(events.find((e) => 'line' in e && e.line === tooLong), { event: 'oversized', line: tooLong, bytes: 51, maxBytes: 50 });
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
