import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { logIndex, nodeId, term, type Message, type NodeId } from '../../src/machine/index.ts';
import { TransportError, UdpTransport, type PeerAddress } from '../../src/runtime/udp-transport.ts';
import { createWireCodec } from '../../src/runtime/wire-codec.ts';

const members = [1, 2, 3].map(nodeId);

/** Ports the kernel just handed out, so parallel test runs do not collide. */
async function freePorts(n: number, host: string): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<dgram.Socket>((ok) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.bind(0, host, () => ok(s));
  })));
  const ports = sockets.map((s) => s.address().port);
  sockets.forEach((s) => s.close());
  return ports;
}

async function addressesOn(host: string): Promise<Map<NodeId, PeerAddress>> {
  const ports = await freePorts(3, host);
  return new Map(members.map((id, i) => [id, { host, port: ports[i]! }]));
}

/** Waits for `predicate`, re-running `poke` meanwhile: UDP may lose what it sends. */
async function eventually(predicate: () => boolean, poke: () => void = () => {}, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    poke();
    await new Promise((r) => setTimeout(r, 20));
  }
}

const vote: Message = { type: 'RequestVote', term: term(3), from: nodeId(1), to: nodeId(2), lastLogIndex: logIndex(7), lastLogTerm: term(2) };

for (const host of ['127.0.0.1', '::1']) {
  test(`messages, large batches and a multi-megabyte snapshot cross ${host}`, async (t) => {
    let addresses: Map<NodeId, PeerAddress>;
    try {
      addresses = await addressesOn(host);
    } catch {
      return t.skip(`no ${host} here`);
    }
    const a = await UdpTransport.open({ self: nodeId(1), addresses, clusterId: 9, insecureNoAuth: true });
    const b = await UdpTransport.open({ self: nodeId(2), addresses, clusterId: 9, insecureNoAuth: true });
    const got: Message[] = [];
    b.onMessage((m) => got.push(m));
    try {
      a.send(vote);
      await eventually(() => got.length > 0, () => a.send(vote));
      assert.deepEqual(got[0], vote);

      const entries = Array.from({ length: 500 }, (_, i) => ({ term: term(3), command: `command number ${i}` }));
      const append: Message = { type: 'AppendEntries', term: term(3), from: nodeId(1), to: nodeId(2), prevLogIndex: logIndex(10), prevLogTerm: term(2), entries, leaderCommit: logIndex(10) };
      got.length = 0;
      a.send(append);
      await eventually(() => got.reduce((n, m) => n + (m.type === 'AppendEntries' ? m.entries.length : 0), 0) >= 500, () => {});
      assert.ok(got.length > 1, 'split into several AppendEntries');
      assert.deepEqual(got.flatMap((m) => (m.type === 'AppendEntries' ? m.entries : [])), entries);

      const data = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 7919) >>> 8);
      const snap: Message = { type: 'InstallSnapshot', term: term(3), from: nodeId(1), to: nodeId(2), lastIncludedIndex: logIndex(99), lastIncludedTerm: term(3), data };
      got.length = 0;
      let resends = 0;
      await eventually(() => got.some((m) => m.type === 'InstallSnapshot'), () => { if (resends++ % 25 === 0) a.send(snap); }, 30_000);
      const received = got.find((m) => m.type === 'InstallSnapshot');
      assert.ok(received?.type === 'InstallSnapshot' && Buffer.from(received.data).equals(data));
    } finally {
      a.close();
      b.close();
    }
  });
}

test('a snapshot sent once arrives whole even through a small receive buffer', async () => {
  const addresses = await addressesOn('127.0.0.1');
  const a = await UdpTransport.open({ self: nodeId(1), addresses, clusterId: 9, insecureNoAuth: true });
  // The kernel's usual default: a 4 MiB burst would overflow it many times over.
  const b = await UdpTransport.open({ self: nodeId(2), addresses, clusterId: 9, insecureNoAuth: true, receiveBufferBytes: 212_992 });
  const got: Message[] = [];
  b.onMessage((m) => got.push(m));
  const data = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31) >>> 4);
  const snap: Message = { type: 'InstallSnapshot', term: term(3), from: nodeId(1), to: nodeId(2), lastIncludedIndex: logIndex(99), lastIncludedTerm: term(3), data };
  try {
    a.send(snap);
    a.send(snap); // a retry while the first is streaming adds nothing
    await eventually(() => got.length > 0, () => {}, 20_000);
    assert.equal(got.length, 1);
    assert.ok(got[0]!.type === 'InstallSnapshot' && Buffer.from(got[0]!.data).equals(data));
    assert.equal(a.stats.datagramsSent, Math.ceil(data.length / (1400 - 96)));
    assert.equal(b.stats.dropped, 0);
  } finally {
    a.close();
    b.close();
  }
});

test('garbage is dropped and counted, and the transport keeps delivering', async () => {
  const addresses = await addressesOn('127.0.0.1');
  const a = await UdpTransport.open({ self: nodeId(1), addresses, clusterId: 9, insecureNoAuth: true });
  const b = await UdpTransport.open({ self: nodeId(2), addresses, clusterId: 9, insecureNoAuth: true });
  const got: Message[] = [];
  b.onMessage((m) => got.push(m));
  const raw = dgram.createSocket('udp4');
  const port = addresses.get(nodeId(2))!.port;
  const otherCluster = createWireCodec({ clusterId: 10, self: nodeId(1), members }).encode(vote)[0]!;
  const garbage = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(900).fill(0xff), otherCluster];
  try {
    for (const g of garbage) raw.send(g, port, '127.0.0.1');
    await eventually(() => b.stats.dropped >= garbage.length);
    a.send(vote);
    await eventually(() => got.length > 0, () => a.send(vote));
    assert.deepEqual(got[0], vote);
    assert.equal(b.stats.dropped, garbage.length);
  } finally {
    raw.close();
    a.close();
    b.close();
  }
});

test('with a shared key, a process without the key cannot inject messages', async () => {
  const addresses = await addressesOn('127.0.0.1');
  const key = new TextEncoder().encode('shared secret of the cluster');
  const a = await UdpTransport.open({ self: nodeId(1), addresses, clusterId: 9, key });
  const b = await UdpTransport.open({ self: nodeId(2), addresses, clusterId: 9, key });
  const intruder = await UdpTransport.open({ self: nodeId(3), addresses, clusterId: 9, insecureNoAuth: true });
  const guesser = dgram.createSocket('udp4');
  const wrongKey = createWireCodec({ clusterId: 9, self: nodeId(3), members, key: new TextEncoder().encode('guess') });
  const got: Message[] = [];
  b.onMessage((m) => got.push(m));
  const forged: Message = { ...vote, from: nodeId(3), term: term(1000) };
  try {
    for (let i = 0; i < 20; i++) {
      intruder.send(forged);
      guesser.send(wrongKey.encode(forged)[0]!, addresses.get(nodeId(2))!.port, '127.0.0.1');
    }
    await eventually(() => b.stats.dropped >= 40);
    // From node 3's own address: no key, so no tag; from another address: never read.
    assert.deepEqual({ badMac: b.stats.badMac, fromStrangers: b.stats.fromStrangers, wrongSource: b.stats.wrongSource }, { badMac: 20, fromStrangers: 20, wrongSource: 0 });
    a.send(vote);
    await eventually(() => got.length > 0, () => a.send(vote));
    assert.ok(got.every((m) => m.from === nodeId(1) && m.term === term(3)), 'only the keyed sender got through');
  } finally {
    guesser.close();
    intruder.close();
    a.close();
    b.close();
  }
});

test('a port in use and an address of another machine are refused with a clear error', async () => {
  const addresses = await addressesOn('127.0.0.1');
  const a = await UdpTransport.open({ self: nodeId(1), addresses, clusterId: 9, insecureNoAuth: true });
  try {
    await assert.rejects(UdpTransport.open({ self: nodeId(1), addresses, clusterId: 9, insecureNoAuth: true }), (e) => e instanceof TransportError && /port \d+ is in use/.test(e.message));
  } finally {
    a.close();
  }
  const elsewhere = new Map(addresses).set(nodeId(1), { host: '192.0.2.1', port: 7001 });
  await assert.rejects(UdpTransport.open({ self: nodeId(1), addresses: elsewhere, clusterId: 9, insecureNoAuth: true }), /192\.0\.2\.1 is not an address of this machine/);
  await assert.rejects(UdpTransport.open({ self: nodeId(4), addresses, clusterId: 9, insecureNoAuth: true }), /node 4 has no address/);
});

// Issue 11.5: the kernel's EMSGSIZE for an oversized datagram was a debug line, so nobody saw why
// replication had stopped. A send refused for good is an error line, counted.
test('a send the kernel refuses for good (EACCES to a broadcast address) is logged as an error and counted', async () => {
  const lines: string[] = [];
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (m: string) => lines.push(m) };
  const addresses = new Map<NodeId, PeerAddress>([[nodeId(1), { host: '127.0.0.1', port: 0 }], [nodeId(2), { host: '255.255.255.255', port: 9 }]]);
  const a = await UdpTransport.open({ self: nodeId(1), addresses, clusterId: 9, insecureNoAuth: true, logger });
  try {
    a.send({ ...vote, to: nodeId(2) });
    await eventually(() => a.stats.sendErrors === 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^send of \d+ bytes to node 2 failed: .*EACCES/);
  } finally {
    a.close();
  }
});
