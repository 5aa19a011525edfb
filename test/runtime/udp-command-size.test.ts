// Issue 11.5: one 100 KB proposal halted replication. Its entry went out in a datagram of its own,
// the kernel refused it (EMSGSIZE), and since it stood first in every later AppendEntries nothing
// behind it replicated. Now start() refuses a command above what one datagram carries in a single
// entry, and a command of exactly that size commits through UDP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonCommands, nodeId, type NodeId } from '../../src/machine/index.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';
import { RaftNode, type Applied } from '../../src/runtime/node.ts';
import { UdpTransport, type PeerAddress } from '../../src/runtime/udp-transport.ts';
import { freePorts, until } from '../support/local-cluster.ts';

const members = [1, 2, 3].map(nodeId);
const timings = { electionTimeoutMs: { min: 200, max: 400 }, heartbeatIntervalMs: 40 };

interface Cluster {
  readonly nodes: Map<NodeId, { node: RaftNode; transport: UdpTransport; applied: unknown[] }>;
  stop(): void;
}

async function udpCluster(key?: Uint8Array): Promise<Cluster> {
  const ports = await freePorts(3);
  const addresses = new Map<NodeId, PeerAddress>(members.map((id, i) => [id, { host: '127.0.0.1', port: ports[i]! }]));
  const nodes: Cluster['nodes'] = new Map();
  for (const id of members) {
    const transport = await UdpTransport.open({ self: id, addresses, clusterId: 5, ...(key ? { key } : { insecureNoAuth: true }) });
    const applied: unknown[] = [];
    const apply = (a: Applied) => { if (a.type === 'command') applied.push(a.command); };
    nodes.set(id, { node: new RaftNode(id, members.filter((m) => m !== id), transport, new MemoryStorage(), { apply, timings }), transport, applied });
  }
  return { nodes, stop: () => { for (const n of nodes.values()) n.node.kill(); } };
}

const leaderOf = (c: Cluster) => until('a leader', () => [...c.nodes.values()].find((n) => n.node.getState().isLeader), 20_000);

const appliedEverywhere = (c: Cluster, commands: readonly unknown[]) =>
  [...c.nodes.values()].every((n) => commands.every((cmd) => n.applied.includes(cmd)));

test('issue 11.5: a 100 KB proposal is refused by start(), and the proposals after it commit', { timeout: 60_000 }, async () => {
  const cluster = await udpCluster();
  try {
    const leader = await leaderOf(cluster);
    const big = 'x'.repeat(100 * 1024);
    let refusal: unknown = null;
    try {
      leader.node.start(big);
    } catch (err) {
      refusal = err;
    }
    const later = Array.from({ length: 20 }, (_, i) => `later ${i}`);
    for (const command of later) leader.node.start(command);
    await until('the 20 later proposals applied on every node', () => appliedEverywhere(cluster, later), 10_000);
    assert.ok(refusal instanceof Error && refusal.name === 'CommandTooLargeError', `start() refused nothing: ${String(refusal)}`);
    assert.match(refusal.message, new RegExp(`command of ${big.length + 2} bytes is larger than the maximum of ${leader.transport.maxCommandBytes}`));
    assert.ok([...cluster.nodes.values()].every((n) => !n.applied.includes(big)));
  } finally {
    cluster.stop();
  }
});

test('a command of exactly the maximum size commits through UDP on three nodes; one byte more is refused', { timeout: 60_000 }, async () => {
  // With a key: the authentication tag leaves the least room for the entry.
  const cluster = await udpCluster(new TextEncoder().encode('a key of the cluster, 32 bytes!!'));
  try {
    const leader = await leaderOf(cluster);
    const max = leader.transport.maxCommandBytes;
    assert.equal(typeof max, 'number');
    const largest = 'm'.repeat(max - 2); // JSON adds the two quotes
    assert.equal(jsonCommands.encode(largest).length, max);
    const after = ['after the largest'];
    leader.node.start(largest);
    assert.throws(() => leader.node.start(`${largest}!`), { name: 'CommandTooLargeError', message: new RegExp(`command of ${max + 1} bytes`) });
    leader.node.start(after[0]);
    await until('the largest command and the one after it applied on every node', () => appliedEverywhere(cluster, [largest, ...after]), 10_000);
    assert.ok([...cluster.nodes.values()].every((n) => n.transport.stats.sendErrors === 0));
  } finally {
    cluster.stop();
  }
});
