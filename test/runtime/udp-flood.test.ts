// Issue 11.6: a flood of malformed datagrams at one node stopped the cluster committing. Three
// RaftNodes on UDP in this process; another thread floods the leader (wherever it is) from an
// address that is no member's, and every one of a fixed number of commands must still commit.
// The members' datagrams reach the node through sockets of their own, and the strangers' budget
// closes the socket they arrive at for a while.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeId, type NodeId } from '../../src/machine/index.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';
import { RaftNode, type Applied } from '../../src/runtime/node.ts';
import { UdpTransport, type PeerAddress } from '../../src/runtime/udp-transport.ts';
import { startFlood } from '../support/flood.ts';
import { freePorts, until } from '../support/local-cluster.ts';

const members = [1, 2, 3].map(nodeId);
const clusterId = 4711;
const COMMANDS = 60;

test('the cluster keeps committing while its leader is flooded with garbage from a stranger', { timeout: 120_000 }, async () => {
  const ports = await freePorts(3);
  const addresses = new Map<NodeId, PeerAddress>(members.map((id, i) => [id, { host: '127.0.0.1', port: ports[i]! }]));
  const nodes = await Promise.all(members.map(async (id) => {
    const transport = await UdpTransport.open({ self: id, addresses, clusterId, insecureNoAuth: true });
    const applied: Applied[] = [];
    const node = new RaftNode(id, members.filter((m) => m !== id), transport, new MemoryStorage(), { apply: (a) => applied.push(a) });
    return { id, node, transport, applied };
  }));
  const leader = () => nodes.find((n) => n.node.getState().isLeader);
  const flooded = await until('a leader', leader, 20_000);
  const flood = startFlood(addresses.get(flooded.id)!, clusterId);
  try {
    await until('the flood to arrive', () => flooded.transport.stats.fromStrangers > 0, 20_000);
    const committed = new Set<string>();
    for (let i = 0; i < COMMANDS; i++) {
      const command = `command ${i}`;
      // One at a time, proposed again at whichever node leads if a leader change lost it.
      await until(`${command} committed`, () => {
        if (nodes.some((n) => n.applied.some((a) => a.type === 'command' && a.command === command))) return true;
        leader()?.node.start(command);
        return false;
      }, 30_000);
      committed.add(command);
    }
    assert.equal(committed.size, COMMANDS);
    const stats = flooded.transport.stats;
    assert.ok(stats.fromStrangers > 1000, `the flood reached the node (${stats.fromStrangers} datagrams)`);
    assert.equal(stats.dropped, stats.fromStrangers, 'every datagram the node refused was a stranger\'s');
    // The strangers' budget was spent, so the node stopped reading them for a while.
    assert.ok(stats.strangersMuted > 0, 'the strangers were never muted');
  } finally {
    await flood.stop();
    for (const n of nodes) n.node.kill();
  }
});
