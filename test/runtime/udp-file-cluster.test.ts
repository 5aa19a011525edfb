// RaftNodes on the real transport and storage in one process: a follower that was down while the
// leader compacted its log catches up through a multi-megabyte InstallSnapshot sent in UDP chunks,
// and keeps the snapshot durably (its log file is rewritten around it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { MAX_TERM, jsonCommands, logIndex, nodeId, term, type NodeId } from '../../src/machine/index.ts';
import { FileStorage, WAL_FILE, recover } from '../../src/runtime/file-storage.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { RaftNode, type Applied } from '../../src/runtime/node.ts';
import { UdpTransport, type PeerAddress } from '../../src/runtime/udp-transport.ts';
import { createWireCodec } from '../../src/runtime/wire-codec.ts';
import { freePorts, until } from '../support/local-cluster.ts';

const members = [1, 2, 3].map(nodeId);
const clusterId = 31337;
const timings = { electionTimeoutMs: { min: 200, max: 400 }, heartbeatIntervalMs: 40 };

interface Running { node: RaftNode; storage: FileStorage; applied: Applied[] }

test('a follower that missed a compaction catches up through a chunked multi-megabyte snapshot', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-udp-file-'));
  const ports = await freePorts(3);
  const addresses = new Map<NodeId, PeerAddress>(members.map((id, i) => [id, { host: '127.0.0.1', port: ports[i]! }]));
  const start = async (id: NodeId): Promise<Running> => {
    const storage = await FileStorage.open({ dir: join(dir, String(id)), clusterId, nodeId: id });
    const transport = await UdpTransport.open({ self: id, addresses, clusterId, insecureNoAuth: true });
    const applied: Applied[] = [];
    const node = new RaftNode(id, members.filter((m) => m !== id), transport, storage, { apply: (a) => applied.push(a), timings });
    return { node, storage, applied };
  };
  const nodes = new Map<NodeId, Running>();
  for (const id of members) nodes.set(id, await start(id));
  try {
    const leaderId = await until('a leader', () => [...nodes].find(([, r]) => r.node.getState().isLeader)?.[0], 20_000);
    const leader = nodes.get(leaderId)!;
    const laggard = members.find((m) => m !== leaderId)!;
    nodes.get(laggard)!.node.kill();
    await nodes.get(laggard)!.storage.close();

    const other = nodes.get(members.find((m) => m !== leaderId && m !== laggard)!)!;
    for (let i = 0; i < 200; i++) leader.node.start(`command ${i}`);
    await until('200 commands applied on both live nodes', () => leader.applied.length >= 200 && other.applied.length >= 200, 20_000);
    // Both live nodes compact (as a service would, at the same index), so whichever leads must send the snapshot.
    const through = logIndex(200);
    const data = Uint8Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 2654435761) >>> 24);
    leader.node.snapshot(through, data);
    other.node.snapshot(through, data);

    nodes.set(laggard, await start(laggard));
    const installed = await until('the snapshot on the restarted follower', () =>
      nodes.get(laggard)!.applied.find((a): a is Extract<Applied, { type: 'snapshot' }> => a.type === 'snapshot'), 20_000);
    assert.equal(installed.index, through);
    assert.ok(Buffer.from(installed.data).equals(data), 'snapshot bytes arrive intact');

    // Durable: the follower's log file is rewritten around the snapshot once its save lands.
    const file = join(dir, String(laggard), WAL_FILE);
    const readBack = async () => recover(file, new Uint8Array(await readFile(file)), { clusterId, nodeId: laggard }, jsonCommands, silentLogger).state;
    let state = await readBack();
    for (let tries = 0; state?.log.snapshotIndex !== through && tries < 500; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      state = await readBack();
    }
    assert.equal(state?.log.snapshotIndex, through);
    assert.ok(Buffer.from(state!.snapshot).equals(data));
  } finally {
    for (const r of nodes.values()) {
      r.node.kill();
      await r.storage.close();
    }
    await rm(dir, { recursive: true, force: true });
  }
});

// Issue 11.3: forged RequestVotes with term 2^53 - 1 made a node campaign at 2^53, a term it wrote
// to its log but could not read back.
test('forged RequestVotes with term 2^53 - 1 are dropped and counted, never adopted, and the storage reopens', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'raft-udp-bounds-'));
  const ports = await freePorts(3);
  const addresses = new Map<NodeId, PeerAddress>(members.map((id, i) => [id, { host: '127.0.0.1', port: ports[i]! }]));
  const self = nodeId(1);
  let storage = await FileStorage.open({ dir, clusterId, nodeId: self });
  const transport = await UdpTransport.open({ self, addresses, clusterId, insecureNoAuth: true });
  const node = new RaftNode(self, members.filter((m) => m !== self), transport, storage, { apply: () => {}, timings });
  const raw = dgram.createSocket('udp4');
  try {
    const forger = createWireCodec({ clusterId, self: nodeId(2), members });
    const forged = forger.encode({ type: 'RequestVote', term: term(Number.MAX_SAFE_INTEGER), from: nodeId(2), to: self, lastLogIndex: logIndex(0), lastLogTerm: term(0) })[0]!;
    for (let k = 0; k < 3; k++) raw.send(forged, ports[0]!, '127.0.0.1');
    await until('the forged datagrams handled', () => transport.stats.dropped >= 3 || node.getState().term > MAX_TERM);
    const after = node.getState().term;
    // The node, alone, keeps campaigning: wait until an election after the forged datagrams is on disk.
    const file = join(dir, WAL_FILE);
    const durableTerm = async () => {
      const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
      return bytes === null ? 0 : recover(file, new Uint8Array(bytes), { clusterId, nodeId: self }, jsonCommands, silentLogger).state?.currentTerm ?? 0;
    };
    for (let tries = 0; node.getState().term <= after || await durableTerm() <= after; tries++) {
      assert.ok(tries < 500, 'no election after the forged datagrams reached the disk');
      await new Promise((r) => setTimeout(r, 20));
    }
    node.kill();
    await storage.close();
    storage = await FileStorage.open({ dir, clusterId, nodeId: self });
    const reopened = storage.load();
    assert.ok(reopened !== null && reopened.currentTerm > after, `reopened at term ${reopened?.currentTerm}, the node was at ${after}`);
    assert.ok(after < MAX_TERM, `adopted term ${after}`);
    assert.equal(transport.stats.dropped, 3);
  } finally {
    raw.close();
    node.kill();
    transport.close();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
});
