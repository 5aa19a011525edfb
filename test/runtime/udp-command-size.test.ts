// Issue 11.5: one 100 KB proposal halted replication. Its entry went out in a datagram of its own,
// the kernel refused it (EMSGSIZE), and since it stood first in every later AppendEntries nothing
// behind it replicated. Now an entry larger than a datagram goes in chunks that the receiver
// reassembles, so commands up to maxCommandBytes (1 MiB by default) commit, and start() refuses
// larger ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonCommands, nodeId, type NodeId } from '../../src/machine/index.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';
import { RaftNode, type Applied } from '../../src/runtime/node.ts';
import { UdpTransport, type PeerAddress } from '../../src/runtime/udp-transport.ts';
import { DEFAULT_MAX_COMMAND_BYTES } from '../../src/runtime/wire-codec.ts';
import { freePorts, until } from '../support/local-cluster.ts';
import { lossyRelay, type LossyRelay } from '../support/lossy-relay.ts';

const members = [1, 2, 3].map(nodeId);
const timings = { electionTimeoutMs: { min: 500, max: 1000 }, heartbeatIntervalMs: 50 };

interface Cluster {
  readonly nodes: Map<NodeId, { node: RaftNode; transport: UdpTransport; applied: unknown[] }>;
  stop(): void;
}

async function udpCluster(options: { key?: Uint8Array; relay?: (real: Map<NodeId, PeerAddress>) => Promise<LossyRelay> } = {}): Promise<Cluster> {
  const ports = await freePorts(3);
  const real = new Map<NodeId, PeerAddress>(members.map((id, i) => [id, { host: '127.0.0.1', port: ports[i]! }]));
  const relay = options.relay && await options.relay(real);
  const nodes: Cluster['nodes'] = new Map();
  for (const id of members) {
    const addresses = relay?.addressesOf(id) ?? real;
    const transport = await UdpTransport.open({ self: id, addresses, clusterId: 5, ...(options.key ? { key: options.key } : { insecureNoAuth: true }) });
    const applied: unknown[] = [];
    const apply = (a: Applied) => { if (a.type === 'command') applied.push(a.command); };
    nodes.set(id, { node: new RaftNode(id, members.filter((m) => m !== id), transport, new MemoryStorage(), { apply, timings }), transport, applied });
  }
  return { nodes, stop: () => { for (const n of nodes.values()) n.node.kill(); relay?.close(); } };
}

const leaderOf = (c: Cluster) => until('a leader', () => [...c.nodes.values()].find((n) => n.node.getState().isLeader), 20_000);

const appliedEverywhere = (c: Cluster, commands: readonly unknown[]) =>
  [...c.nodes.values()].every((n) => commands.every((cmd) => n.applied.includes(cmd)));

test('issue 11.5: a 100 KB proposal commits through UDP, and so do the proposals after it', { timeout: 60_000 }, async () => {
  const cluster = await udpCluster();
  try {
    const leader = await leaderOf(cluster);
    const big = 'x'.repeat(100 * 1024);
    leader.node.start(big);
    const later = Array.from({ length: 20 }, (_, i) => `later ${i}`);
    for (const command of later) leader.node.start(command);
    await until('the 100 KB proposal and the 20 after it applied on every node', () => appliedEverywhere(cluster, [big, ...later]), 20_000);
    assert.ok([...cluster.nodes.values()].every((n) => n.transport.stats.sendErrors === 0 && n.transport.stats.dropped === 0));
  } finally {
    cluster.stop();
  }
});

test('a command of exactly the maximum size (1 MiB) commits through UDP on three nodes; one byte more is refused', { timeout: 90_000 }, async () => {
  // With a key: the authentication tag leaves the least room in each datagram.
  const cluster = await udpCluster({ key: new TextEncoder().encode('a key of the cluster, 32 bytes!!') });
  try {
    const leader = await leaderOf(cluster);
    const max = leader.transport.maxCommandBytes;
    assert.equal(max, DEFAULT_MAX_COMMAND_BYTES);
    const largest = 'm'.repeat(max - 2); // JSON adds the two quotes
    assert.equal(jsonCommands.encode(largest).length, max);
    assert.throws(() => leader.node.start(`${largest}!`), { name: 'CommandTooLargeError', message: new RegExp(`command of ${max + 1} bytes`) });
    const after = 'after the largest';
    // All three nodes share one event loop here, on a machine shared with other jobs: if a leader
    // change loses the proposals, they are proposed again at the next leader.
    const proposedIn = new Set<number>();
    await until('the largest command and the one after it applied on every node', () => {
      if (appliedEverywhere(cluster, [largest, after])) return true;
      const now = [...cluster.nodes.values()].find((n) => n.node.getState().isLeader);
      if (now !== undefined && !proposedIn.has(now.node.getState().term)) {
        proposedIn.add(now.node.getState().term);
        now.node.start(largest);
        now.node.start(after);
      }
      return false;
    }, 50_000);
    assert.ok([...cluster.nodes.values()].every((n) => n.transport.stats.sendErrors === 0));
  } finally {
    cluster.stop();
  }
});

test('large commands commit through a path that loses, duplicates and reorders datagrams', { timeout: 90_000 }, async () => {
  let relay: LossyRelay | undefined;
  const cluster = await udpCluster({
    relay: async (real) => (relay = await lossyRelay(real, { loss: 0.05, duplicate: 0.05, delay: 0.05 }, 11)),
  });
  try {
    const leader = await leaderOf(cluster);
    const commands = [40_000, 200_000, 5_000].map((n, i) => `${i}`.repeat(n));
    for (const command of commands) leader.node.start(command);
    await until('three large commands applied on every node', () => appliedEverywhere(cluster, commands), 60_000);
    for (const n of cluster.nodes.values()) assert.deepEqual(n.applied.filter((c) => typeof c === 'string' && commands.includes(c)), commands);
    const counts = relay!.counts;
    assert.ok(counts.dropped > 0 && counts.duplicated > 0 && counts.delayed > 0, JSON.stringify(counts));
  } finally {
    cluster.stop();
  }
});
