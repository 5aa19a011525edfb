// Issue 11.2: without a key, one datagram from anywhere moved the cluster (a forged RequestVote
// deposed the leader, a forged AppendEntries made a follower apply a command the others never had
// at that index). Here RaftNodes on UDP in one process: a keyed cluster ignores forgeries sent from
// a member's own address, even a keyless cluster drops (and counts) datagrams whose source is not
// the member they claim, and a cluster rolls from one key to another node by node while every node
// keeps applying what is committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { MAX_TERM, logIndex, nodeId, term, type Message, type NodeId, type Term } from '../../src/machine/index.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';
import { RaftNode, type Applied } from '../../src/runtime/node.ts';
import { TransportError, UdpTransport, type PeerAddress, type UdpTransportOptions } from '../../src/runtime/udp-transport.ts';
import { createWireCodec } from '../../src/runtime/wire-codec.ts';
import { freePorts, until } from '../support/local-cluster.ts';

const members = [1, 2, 3].map(nodeId);
const clusterId = 77;
const timings = { electionTimeoutMs: { min: 300, max: 600 }, heartbeatIntervalMs: 50 };
const FORGED = 'forged by an outsider';

type Auth = Pick<UdpTransportOptions, 'key' | 'acceptedKeys' | 'insecureNoAuth'>;

interface Member {
  node: RaftNode;
  transport: UdpTransport;
  storage: MemoryStorage;
  applied: Applied[];
}

class Cluster {
  readonly running = new Map<NodeId, Member>();
  readonly warnings: string[] = [];
  private constructor(readonly addresses: ReadonlyMap<NodeId, PeerAddress>) {}

  static async create(): Promise<Cluster> {
    const ports = await freePorts(members.length);
    return new Cluster(new Map(members.map((id, i) => [id, { host: '127.0.0.1', port: ports[i]! }])));
  }

  /** Starts `id` from `storage` (a restart hands over the last incarnation's). */
  async start(id: NodeId, auth: Auth, storage = new MemoryStorage()): Promise<void> {
    const logger: Logger = { debug: () => {}, info: () => {}, warn: (m) => this.warnings.push(m), error: () => {} };
    const transport = await UdpTransport.open({ self: id, addresses: this.addresses, clusterId, logger, ...auth });
    const applied: Applied[] = [];
    const node = new RaftNode(id, members.filter((m) => m !== id), transport, storage, { apply: (a) => applied.push(a), timings });
    this.running.set(id, { node, transport, storage, applied });
  }

  async restart(id: NodeId, auth: Auth): Promise<void> {
    const m = this.running.get(id)!;
    m.node.kill();
    this.running.delete(id);
    await this.start(id, auth, m.storage.copy());
  }

  leader(): Member | undefined {
    return [...this.running.values()].find((m) => m.node.getState().isLeader);
  }

  /** Proposes `command` until every running node has applied it (a proposal may die with its leader). */
  async commitEverywhere(command: string): Promise<void> {
    const appliedBy = (m: Member) => m.applied.some((a) => a.type === 'command' && a.command === command);
    let proposedTo = '';
    await until(`"${command}" applied by nodes ${[...this.running.keys()].join(', ')}`, () => {
      if ([...this.running.values()].every(appliedBy)) return true;
      const leader = this.leader();
      // Once per leader and term: a proposal to a leader that stays leader commits.
      const at = leader === undefined ? '' : `${leader.node.id}/${leader.node.getState().term}`;
      if (leader !== undefined && at !== proposedTo && !appliedBy(leader)) {
        leader.node.start(command);
        proposedTo = at;
      }
      return false;
    }, 20_000);
  }

  stop(): void {
    for (const m of this.running.values()) m.node.kill();
  }
}

/** A socket at `address` (a member's, while that member is down, or any other), sending datagrams. */
async function socketAt(port: number): Promise<dgram.Socket & { sendTo(bytes: Uint8Array, to: PeerAddress): void }> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((ok) => s.bind(port, '127.0.0.1', () => ok()));
  return Object.assign(s, { sendTo: (bytes: Uint8Array, to: PeerAddress) => s.send(bytes, to.port, to.host) });
}

/** The two forgeries of the issue, from `from` to `to`: a vote request at a huge term, and an entry the leader never wrote. */
function forgeries(from: NodeId, to: NodeId, leaderTerm: Term, lastIndex: number): Message[] {
  return [
    { type: 'RequestVote', term: term(2 ** 40), from, to, lastLogIndex: logIndex(1_000_000), lastLogTerm: term(2 ** 40) },
    {
      type: 'AppendEntries', term: leaderTerm, from, to, prevLogIndex: logIndex(lastIndex), prevLogTerm: leaderTerm,
      entries: [{ term: leaderTerm, command: FORGED }], leaderCommit: logIndex(lastIndex + 1),
    },
  ];
}

const lastApplied = (m: Member): number => m.applied.at(-1)?.index ?? 0;

const key = (): Uint8Array => new Uint8Array(randomBytes(32));

test('forged RequestVote and AppendEntries without the key, from a member\'s own address, do not move a keyed cluster', { timeout: 60_000 }, async () => {
  const cluster = await Cluster.create();
  const clusterKey = key();
  // Node 3 is down and an outsider holds its address, so the source-address check passes: only the key stands in the way.
  await cluster.start(nodeId(1), { key: clusterKey });
  await cluster.start(nodeId(2), { key: clusterKey });
  const outsider = await socketAt(cluster.addresses.get(nodeId(3))!.port);
  const guessed = createWireCodec({ clusterId, self: nodeId(3), members, key: key() });
  try {
    await cluster.commitEverywhere('before');
    const leader = cluster.leader()!;
    const leaderTerm = leader.node.getState().term;
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      for (const [id] of cluster.running) {
        for (const m of forgeries(nodeId(3), id, leaderTerm, lastApplied(leader))) outsider.sendTo(guessed.encode(m)[0]!, cluster.addresses.get(id)!);
      }
    }
    for (const [id, m] of cluster.running) {
      await until(`node ${id} to refuse every forgery`, () => m.transport.stats.badMac === 2 * rounds);
      assert.equal(m.transport.stats.wrongSource, 0);
    }
    await cluster.commitEverywhere('after');
    for (const [id, m] of cluster.running) {
      assert.ok(m.node.getState().term < 1000, `node ${id} is at term ${m.node.getState().term}: a forged term was adopted`);
      assert.ok(!m.applied.some((a) => a.type === 'command' && a.command === FORGED), `node ${id} applied the forged command`);
    }
    const [a, b] = [...cluster.running.values()].map((m) => m.applied.map((x) => x.type === 'command' ? x.command : null));
    assert.deepEqual(a, b, 'both nodes applied the same commands at the same indices');
    assert.equal(cluster.warnings.filter((w) => /failing authentication/.test(w)).length, cluster.running.size, 'one warning per node, not one per datagram');
  } finally {
    outsider.close();
    cluster.stop();
  }
});

test('keyless: a datagram whose source is not the member it claims is dropped and counted, from a member\'s address or any other', { timeout: 60_000 }, async () => {
  const cluster = await Cluster.create();
  await cluster.start(nodeId(1), { insecureNoAuth: true });
  await cluster.start(nodeId(2), { insecureNoAuth: true });
  const atMember3 = await socketAt(cluster.addresses.get(nodeId(3))!.port);
  const stranger = await socketAt(0);
  const codec = createWireCodec({ clusterId, self: nodeId(3), members: [...members, nodeId(9)] });
  try {
    await cluster.commitEverywhere('before');
    const leader = cluster.leader()!;
    const leaderTerm = leader.node.getState().term;
    const last = lastApplied(leader);
    const target = cluster.addresses.get(nodeId(1))!;
    const rounds = 10;
    for (let i = 0; i < rounds; i++) {
      for (const m of forgeries(nodeId(2), nodeId(1), leaderTerm, last)) atMember3.sendTo(codec.encode(m)[0]!, target);
      for (const m of forgeries(nodeId(9), nodeId(1), leaderTerm, last)) atMember3.sendTo(codec.encode(m)[0]!, target);
      for (const m of forgeries(nodeId(3), nodeId(1), leaderTerm, last)) stranger.sendTo(codec.encode(m)[0]!, target);
    }
    const stats = () => cluster.running.get(nodeId(1))!.transport.stats;
    await until('every forgery counted', () => stats().wrongSource === 4 * rounds && stats().fromStrangers === 2 * rounds);
    assert.equal(stats().badMac, 0);
    await cluster.commitEverywhere('after');
    const node1 = cluster.running.get(nodeId(1))!;
    assert.ok(node1.node.getState().term < 1000, `node 1 is at term ${node1.node.getState().term}`);
    assert.ok(!node1.applied.some((a) => a.type === 'command' && a.command === FORGED));
    assert.equal(cluster.warnings.filter((w) => /failing authentication/.test(w)).length, 1, `one warning for ${6 * rounds} drops`);
  } finally {
    atMember3.close();
    stranger.close();
    cluster.stop();
  }
});

test('a cluster rolls from key A to key B node by node, and every node applies every commit throughout', { timeout: 120_000 }, async () => {
  const cluster = await Cluster.create();
  const [a, b] = [key(), key()];
  for (const id of members) await cluster.start(id, { key: a });
  try {
    await cluster.commitEverywhere('on key A');
    // 1: every node learns B while still sending A; 2: every node sends B, still accepting A; 3: A is dropped.
    const phases: [string, Auth][] = [['accepts B', { key: a, acceptedKeys: [b] }], ['sends B', { key: b, acceptedKeys: [a] }], ['B only', { key: b }]];
    for (const [phase, auth] of phases) {
      for (const id of members) {
        await cluster.restart(id, auth);
        await cluster.commitEverywhere(`node ${id} ${phase}`);
      }
    }
    const badMac = [...cluster.running.values()].reduce((n, m) => n + m.transport.stats.badMac, 0);
    assert.equal(badMac, 0, 'no node refused a member\'s datagram during the roll');
  } finally {
    cluster.stop();
  }
});

test('a transport has a key or says insecureNoAuth; never both, never a short key', async () => {
  const [port] = await freePorts(1);
  const addresses = new Map([[nodeId(1), { host: '127.0.0.1', port: port! }]]);
  await assert.rejects(UdpTransport.open({ self: nodeId(1), addresses, clusterId }), (e) => e instanceof TransportError && /^no key/.test(e.message));
  await assert.rejects(UdpTransport.open({ self: nodeId(1), addresses, clusterId, key: new Uint8Array(15) }), /a key of 15 bytes: use at least 16/);
  await assert.rejects(UdpTransport.open({ self: nodeId(1), addresses, clusterId, key: key(), acceptedKeys: [new Uint8Array(8)] }), /a key of 8 bytes/);
  await assert.rejects(UdpTransport.open({ self: nodeId(1), addresses, clusterId, key: key(), insecureNoAuth: true }), /insecureNoAuth together with a key/);
  assert.equal(MAX_TERM > 2 ** 40, true, 'the forged term is one the codec accepts, so only authentication refuses it');
});

test('members on different hosts that share one port are told apart by address and port, an IPv6 address however spelled', async (t) => {
  const [port] = await freePorts(1);
  const addresses = new Map<NodeId, PeerAddress>(members.map((id) => [id, { host: `127.0.0.${id}`, port: port! }]));
  const open = (id: NodeId, at = addresses) => UdpTransport.open({ self: id, addresses: at, clusterId, insecureNoAuth: true });
  let transports: UdpTransport[];
  try {
    transports = [await open(nodeId(1)), await open(nodeId(2)), await open(nodeId(3))];
  } catch (err) {
    return t.skip(`127.0.0.2 and 127.0.0.3 are not addresses here (${String(err)})`);
  }
  const got = transports.map(() => [] as NodeId[]);
  transports.forEach((tr, i) => tr.onMessage((m) => got[i]!.push(m.from)));
  const ping = (from: NodeId, to: NodeId): Message => ({ type: 'RequestVoteReply', term: term(1), from, to, voteGranted: false });
  try {
    for (let i = 0; i < 20 && !got.every((g) => new Set(g).size === 2); i++) {
      for (const from of members) for (const to of members) if (from !== to) transports[from - 1]!.send(ping(from, to));
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual(got.map((g) => [...new Set(g)].sort()), [[2, 3], [1, 3], [1, 2]]);
    assert.deepEqual(transports.map((tr) => tr.stats.dropped), [0, 0, 0]);
  } finally {
    transports.forEach((tr) => tr.close());
  }

  const [p1, p2] = await freePorts(2);
  const v6 = (spelling: string) => new Map<NodeId, PeerAddress>([[nodeId(1), { host: spelling, port: p1! }], [nodeId(2), { host: spelling, port: p2! }]]);
  let pair: UdpTransport[];
  try {
    pair = [await open(nodeId(1), v6('0:0:0:0:0:0:0:1')), await open(nodeId(2), v6('0:0:0:0:0:0:0:1'))];
  } catch (err) {
    return t.skip(`no ::1 here (${String(err)})`);
  }
  const heard: Message[] = [];
  pair[1]!.onMessage((m) => heard.push(m));
  try {
    for (let i = 0; i < 20 && heard.length === 0; i++) {
      pair[0]!.send(ping(nodeId(1), nodeId(2)));
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(heard.length > 0, true, 'node 2 heard node 1, whose address it was given as 0:0:0:0:0:0:0:1');
    assert.equal(pair[1]!.stats.fromStrangers, 0);
  } finally {
    pair.forEach((tr) => tr.close());
  }
});
