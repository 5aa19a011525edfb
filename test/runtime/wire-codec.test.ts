import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_INDEX, MAX_TERM, crc32, decodePersistentState, encodePersistentState, logIndex, nodeId, persistentStateOf, term,
  type Entry, type Message,
} from '../../src/machine/index.ts';
import { ChunkAssembler } from '../../src/runtime/chunk-assembler.ts';
import { OversizedEntryError, createWireCodec, type Datagram, type WireCodec } from '../../src/runtime/wire-codec.ts';
import { nearLimitsArb } from '../support/arbitraries.ts';
import { nodeIn, run, sent } from '../support/build.ts';

const members = [1, 2, 3].map(nodeId);
// The largest cap, so each message other than a snapshot fits one datagram and round-trips whole.
const codec = createWireCodec({ clusterId: 0xc0ffee, self: nodeId(1), members, maxDatagramBytes: 65_507 });

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Messages as Raft sends them: inner terms never newer than the message term, log terms non-decreasing. */
const validMessageArb: fc.Arbitrary<Message> = fc.record({
  t: fc.integer({ min: 1, max: 2 ** 40 }),
  from: fc.constantFrom(2, 3).map(nodeId),
  index: fc.integer({ min: 0, max: 2 ** 45 }),
  kind: fc.integer({ min: 0, max: 5 }),
  flag: fc.boolean(),
  data: fc.uint8Array({ maxLength: 300 }),
  commands: fc.array(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown), { maxLength: 8 }),
  frac: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 10, maxLength: 10 }),
}).map(({ t, from, index, kind, flag, data, commands, frac }): Message => {
  const below = (k: number) => Math.floor(frac[k]! * t);
  const env = { term: term(t), from, to: nodeId(1) };
  const i = logIndex(index);
  switch (kind) {
    case 0: return { type: 'RequestVote', ...env, lastLogIndex: i, lastLogTerm: term(below(0)) };
    case 1: return { type: 'RequestVoteReply', ...env, voteGranted: flag };
    case 2: {
      const prevLogTerm = below(0);
      let last = Math.max(1, prevLogTerm);
      const entries: Entry[] = commands.map((command, k) => {
        last = Math.min(t, last + (frac[1 + (k % 9)]! > 0.7 ? 1 : 0));
        return { term: term(last), command };
      });
      return { type: 'AppendEntries', ...env, prevLogIndex: i, prevLogTerm: term(prevLogTerm), entries, leaderCommit: logIndex(below(2)) };
    }
    case 3: return {
      type: 'AppendEntriesReply', ...env, success: flag, matchIndex: i, conflictIndex: logIndex(below(1)), conflictTerm: term(below(2)),
    };
    case 4: return { type: 'InstallSnapshot', ...env, lastIncludedIndex: i, lastIncludedTerm: term(below(3)), data };
    default: return { type: 'InstallSnapshotReply', ...env, matchIndex: i };
  }
});

/** Accepted means exactly what an encoder writes: decode then encode gives the same bytes back. */
function assertRoundTripOrRefused(c: WireCodec, bytes: Uint8Array): boolean {
  const d = c.decode(bytes);
  if (!d.ok) {
    assert.equal(typeof d.reason, 'string');
    return false;
  }
  assert.ok(sameBytes(c.encodeDatagram(d.datagram), bytes), 'accepted a datagram that does not round-trip');
  return true;
}

function decodeAll(c: WireCodec, datagrams: Uint8Array[]): Datagram[] {
  return datagrams.map((b) => {
    const d = c.decode(b);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    return d.datagram;
  });
}

/** The messages the datagrams carry, entries split into chunks reassembled as the transport does. */
function reassembled(c: WireCodec, datagrams: Uint8Array[], maxBytes = 2 ** 20): Datagram[] {
  const assembler = new ChunkAssembler({ maxBytes, transfersPerSender: 1, idleMs: 1 });
  const out: Datagram[] = [];
  for (const d of decodeAll(c, datagrams)) {
    if (d.type !== 'AppendEntriesChunk') {
      out.push(d);
      continue;
    }
    const command = assembler.add(d, `${d.prevLogIndex}`, 0);
    assert.notEqual(command, 'too large');
    if (command === 'incomplete' || command === 'too large') continue;
    const m = c.entryOf(d, command);
    assert.ok(m.ok, m.ok ? '' : m.reason);
    out.push(m.datagram);
  }
  return out;
}

test('every message round-trips through one or more datagrams', () => {
  fc.assert(fc.property(validMessageArb, (m) => {
    const decoded = decodeAll(codec, codec.encode(m));
    if (m.type === 'InstallSnapshot') {
      const data = Buffer.concat(decoded.map((d) => (d.type === 'InstallSnapshotChunk' ? d.data : assert.fail(d.type))));
      assert.deepEqual(new Uint8Array(data), m.data);
    } else {
      assert.deepEqual(decoded, [m]);
    }
  }), { numRuns: 2000 });
});

test('a large AppendEntries becomes consecutive AppendEntries within the size cap, an entry larger than a datagram alone and in chunks', () => {
  const small = createWireCodec({ clusterId: 7, self: nodeId(1), members, maxDatagramBytes: 300 });
  const commandArb = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 60 }) }, { weight: 1, arbitrary: fc.string({ minLength: 150, maxLength: 2000 }) });
  let chunked = 0;
  fc.assert(fc.property(validMessageArb.filter((m) => m.type === 'AppendEntries'), fc.array(commandArb, { maxLength: 40 }), (base, strings) => {
    if (base.type !== 'AppendEntries') return;
    const entries = strings.map((command) => ({ term: term(Math.max(1, base.prevLogTerm)), command }));
    const m = { ...base, entries };
    const datagrams = small.encode(m);
    for (const b of datagrams) assert.ok(b.length <= 300, `${b.length} bytes`);
    if (datagrams.some((b) => b[5] === 7)) chunked++;
    const parts = reassembled(small, datagrams);
    let index = m.prevLogIndex as number;
    let prevTerm = m.prevLogTerm;
    const all: Entry[] = [];
    for (const p of parts) {
      assert.equal(p.type, 'AppendEntries');
      if (p.type !== 'AppendEntries') return;
      assert.equal(p.prevLogIndex, index);
      assert.equal(p.prevLogTerm, prevTerm);
      assert.equal(p.leaderCommit, m.leaderCommit);
      index += p.entries.length;
      prevTerm = p.entries.at(-1)?.term ?? prevTerm;
      all.push(...p.entries);
    }
    assert.deepEqual(all, entries);
  }), { numRuns: 300 });
  assert.ok(chunked > 30, `${chunked} of 300 runs split an entry`);
});

test('a command at maxCommandBytes goes in chunks within the cap even at the largest term, index and node id; one byte more is refused', () => {
  const key = new TextEncoder().encode('sixteen bytes at least');
  const far = nodeId(0xffffffff);
  for (const cap of [192, 1400, 65_507]) {
    for (const keyed of [false, true]) {
      const max = 20_000;
      const c = createWireCodec({ clusterId: 0xffffffff, self: nodeId(1), members: [nodeId(1), far], maxDatagramBytes: cap, maxCommandBytes: max, ...(keyed && { key }) });
      const commandOf = (bytes: number) => 'a'.repeat(bytes - 2); // JSON adds the two quotes
      const append = (n: number): Message => ({
        type: 'AppendEntries', term: MAX_TERM, from: far, to: nodeId(1), prevLogIndex: logIndex(MAX_INDEX - 1), prevLogTerm: MAX_TERM,
        entries: [{ term: MAX_TERM, command: commandOf(n) }], leaderCommit: logIndex(MAX_INDEX - 1),
      });
      const datagrams = c.encode(append(max));
      assert.ok(datagrams.every((b) => b.length <= cap), `cap ${cap}${keyed ? ' keyed' : ''}: ${Math.max(...datagrams.map((b) => b.length))} bytes`);
      // Chunks fill the datagram up to the envelope reserve.
      assert.ok(datagrams.length <= Math.ceil(max / (cap - 96 - (keyed ? 16 : 0))), `cap ${cap}: ${datagrams.length} datagrams`);
      assert.deepEqual(reassembled(c, datagrams, max), [append(max)]);
      assert.throws(() => c.encode(append(max + 1)), OversizedEntryError);
    }
  }
});

test('a chunk claiming a command above maxCommandBytes is refused before its data is read', () => {
  const c = createWireCodec({ clusterId: 1, self: nodeId(1), members, maxCommandBytes: 5000 });
  const big = createWireCodec({ clusterId: 1, self: nodeId(1), members, maxCommandBytes: 5001 });
  const m: Message = {
    type: 'AppendEntries', term: term(2), from: nodeId(2), to: nodeId(1), prevLogIndex: logIndex(4), prevLogTerm: term(1),
    entries: [{ term: term(2), command: 'b'.repeat(4999) }], leaderCommit: logIndex(3),
  };
  const [first] = big.encode(m);
  const d = c.decode(first!);
  assert.ok(!d.ok && /command of 5001 bytes is too large/.test(d.reason), JSON.stringify(d));
  assert.ok(big.decode(first!).ok);
});

test('a multi-megabyte snapshot goes out in §7 chunks, done only on the last', () => {
  const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
  const m: Message = { type: 'InstallSnapshot', term: term(3), from: nodeId(2), to: nodeId(1), lastIncludedIndex: logIndex(90), lastIncludedTerm: term(2), data };
  const standard = createWireCodec({ clusterId: 1, self: nodeId(1), members });
  const datagrams = standard.encode(m);
  assert.ok(datagrams.every((b) => b.length <= 1400));
  const chunks = decodeAll(standard, datagrams);
  assert.ok(chunks.length > 2000, `${chunks.length} chunks`);
  let offset = 0;
  chunks.forEach((c, k) => {
    assert.equal(c.type, 'InstallSnapshotChunk');
    if (c.type !== 'InstallSnapshotChunk') return;
    assert.equal(c.offset, offset);
    assert.equal(c.total, data.length);
    assert.equal(c.done, k === chunks.length - 1);
    offset += c.data.length;
  });
  assert.equal(offset, data.length);
});

test('arbitrary bytes are refused without throwing, or round-trip', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (body, reseal) => {
    // Resealing gives random bodies a valid checksum, so the structural checks get exercised too.
    const bytes = reseal ? withChecksum(body) : body;
    assertRoundTripOrRefused(codec, bytes);
  }), { numRuns: 20000 });
});

function withChecksum(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const a = [...bytes];
  const at = m.at % Math.max(1, a.length);
  switch (m.kind) {
    case 'flip': a[at] = (a[at] ?? 0) ^ (1 << m.bit); break;
    case 'set': a[at] = m.value; break;
    case 'insert': a.splice(at, 0, m.value); break;
    case 'delete': a.splice(at, 1); break;
    case 'truncate': a.length = at; break;
  }
  return Uint8Array.from(a);
}

test('mutated valid datagrams are refused without throwing, or round-trip', () => {
  let acceptedAfterReseal = 0;
  let runs = 0;
  // At the smallest cap, snapshots and larger entries go in chunks: their datagrams get mutated too.
  const smallest = createWireCodec({ clusterId: 0xc0ffee, self: nodeId(1), members, maxDatagramBytes: 192 });
  const arb = fc.tuple(validMessageArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean(), fc.nat());
  fc.assert(fc.property(arb, ([m, mutations, reseal, small, pick]) => {
    runs++;
    const c = small ? smallest : codec;
    const datagrams = c.encode(m);
    const original = datagrams[pick % datagrams.length]!;
    const mutated = mutations.reduce(mutate, original);
    // Without resealing nearly every mutation dies at the checksum; resealed ones reach the parser.
    const bytes = reseal ? withChecksum(mutated.subarray(0, Math.max(0, mutated.length - 4))) : mutated;
    if (assertRoundTripOrRefused(c, bytes) && reseal) acceptedAfterReseal++;
  }), { numRuns: 20000 });
  // The parser is really being exercised: some resealed mutations are valid messages, most are not.
  assert.ok(acceptedAfterReseal > 0 && acceptedAfterReseal < runs / 2, `${acceptedAfterReseal} of ${runs}`);
});

test('a datagram from another cluster, a non-member, or for another node is refused with a reason', () => {
  const m: Message = { type: 'RequestVote', term: term(2), from: nodeId(2), to: nodeId(1), lastLogIndex: logIndex(4), lastLogTerm: term(1) };
  const reasonFor = (c: WireCodec, msg: Message) => {
    const d = codec.decode(c.encode(msg)[0]!);
    assert.ok(!d.ok);
    return d.ok ? '' : d.reason;
  };
  assert.match(reasonFor(createWireCodec({ clusterId: 1, self: nodeId(2), members }), m), /cluster 1, not 12648430/);
  assert.match(reasonFor(codec, { ...m, from: nodeId(9) }), /sender 9 is not a peer/);
  assert.match(reasonFor(codec, { ...m, from: nodeId(1) }), /sender 1 is not a peer/);
  assert.match(reasonFor(codec, { ...m, to: nodeId(3) }), /addressed to 3/);
  assert.match(reasonFor(codec, { ...m, lastLogTerm: term(5) }), /lastLogTerm 5 is newer/);
  const bad = codec.encode(m)[0]!.slice();
  bad[0] = 9;
  assert.match(String(codec.decode(withChecksum(bad.subarray(0, bad.length - 4))).ok === false && 'unknown version'), /unknown version/);
});

test('during a key rotation a codec accepts tags of its key and of its accepted keys, and sends with its key', () => {
  const [oldKey, newKey, stranger] = ['the key the cluster had', 'the key the cluster moves to', 'a key nobody was given'].map((k) => new TextEncoder().encode(k));
  const rolling = createWireCodec({ clusterId: 5, self: nodeId(1), members, key: newKey!, acceptedKeys: [oldKey!] });
  const m: Message = { type: 'RequestVoteReply', term: term(2), from: nodeId(2), to: nodeId(1), voteGranted: true };
  for (const key of [oldKey!, newKey!]) {
    assert.deepEqual(rolling.decode(createWireCodec({ clusterId: 5, self: nodeId(2), members, key }).encode(m)[0]!), { ok: true, datagram: m });
  }
  const refused = rolling.decode(createWireCodec({ clusterId: 5, self: nodeId(2), members, key: stranger! }).encode(m)[0]!);
  assert.ok(!refused.ok && refused.cause === 'bad-mac');
  const reply = rolling.encode({ ...m, from: nodeId(1), to: nodeId(2) })[0]!;
  const onlyOld = createWireCodec({ clusterId: 5, self: nodeId(2), members, key: oldKey! });
  const onlyNew = createWireCodec({ clusterId: 5, self: nodeId(2), members, key: newKey! });
  assert.equal(onlyNew.decode(reply).ok, true, 'sent with the new key');
  assert.equal(onlyOld.decode(reply).ok, false, 'never with an accepted key');
  assert.throws(() => createWireCodec({ clusterId: 5, self: nodeId(1), members, acceptedKeys: [oldKey!] }), /acceptedKeys without a key/);
});

test('a datagram claiming a sender that is no member is refused as an unknown sender', () => {
  const codec = createWireCodec({ clusterId: 5, self: nodeId(1), members });
  const outsider = createWireCodec({ clusterId: 5, self: nodeId(9), members: [...members, nodeId(9)] });
  const d = codec.decode(outsider.encode({ type: 'RequestVoteReply', term: term(2), from: nodeId(9), to: nodeId(1), voteGranted: true })[0]!);
  assert.ok(!d.ok && d.cause === 'unknown-sender' && /sender 9 is not a peer/.test(d.reason), JSON.stringify(d));
});

test('with a shared key, datagrams without the key or with another key are refused', () => {
  const key = new TextEncoder().encode('correct horse battery staple');
  const keyed = createWireCodec({ clusterId: 5, self: nodeId(1), members, key });
  const sender = createWireCodec({ clusterId: 5, self: nodeId(2), members, key });
  const m: Message = { type: 'RequestVoteReply', term: term(2), from: nodeId(2), to: nodeId(1), voteGranted: true };
  assert.deepEqual(keyed.decode(sender.encode(m)[0]!), { ok: true, datagram: m });
  const plain = createWireCodec({ clusterId: 5, self: nodeId(2), members });
  const other = createWireCodec({ clusterId: 5, self: nodeId(2), members, key: new TextEncoder().encode('guess') });
  for (const c of [plain, other]) {
    const d = keyed.decode(c.encode(m)[0]!);
    assert.ok(!d.ok && d.cause === 'bad-mac', JSON.stringify(d));
  }
  const original = sender.encode(m)[0]!;
  fc.assert(fc.property(mutationArb, (mu) => {
    const bytes = mutate(original, mu);
    if (!sameBytes(bytes, original)) assert.equal(assertRoundTripOrRefused(keyed, bytes), false);
  }));
});

/** A message of each kind carrying term `t` (inner terms too) and indices `i` and `j`. */
function atLimits(kind: number, t: number, i: number, j: number, count: number): Message {
  const env = { term: term(t), from: nodeId(2), to: nodeId(1) };
  switch (kind) {
    case 0: return { type: 'RequestVote', ...env, lastLogIndex: logIndex(i), lastLogTerm: term(t) };
    case 1: return {
      type: 'AppendEntries', ...env, prevLogIndex: logIndex(i), prevLogTerm: term(t), leaderCommit: logIndex(j),
      entries: Array.from({ length: t === 0 ? 0 : count }, (_, k) => ({ term: term(t), command: k })),
    };
    case 2: return { type: 'AppendEntriesReply', ...env, success: false, matchIndex: logIndex(i), conflictIndex: logIndex(j), conflictTerm: term(t) };
    case 3: return { type: 'InstallSnapshot', ...env, lastIncludedIndex: logIndex(i), lastIncludedTerm: term(t), data: Uint8Array.of(7) };
    default: return { type: 'InstallSnapshotReply', ...env, matchIndex: logIndex(i) };
  }
}

test('a datagram is accepted exactly when its terms and indices are within the limits, and then round-trips', () => {
  const seen = { accepted: 0, refused: 0 };
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 4 }), nearLimitsArb(MAX_TERM), nearLimitsArb(MAX_INDEX), nearLimitsArb(MAX_INDEX), fc.integer({ min: 0, max: 3 }),
    (kind, t, i, j, count) => {
      const m = atLimits(kind, t, i, j, count);
      const carriesJ = m.type === 'AppendEntries' || m.type === 'AppendEntriesReply';
      const within = t <= MAX_TERM && i <= MAX_INDEX && (!carriesJ || j <= MAX_INDEX) &&
        (m.type !== 'AppendEntries' || i + m.entries.length <= MAX_INDEX);
      const [bytes] = codec.encode(m);
      const d = codec.decode(bytes!);
      if (!d.ok) {
        seen.refused++;
        assert.ok(!within, `refused a message within the limits: ${d.reason}`);
        assert.match(d.reason, /past the limit/);
        return;
      }
      seen.accepted++;
      assert.ok(within, `accepted ${JSON.stringify(m)}`);
      assert.ok(sameBytes(codec.encodeDatagram(d.datagram), bytes!));
      if (m.type !== 'InstallSnapshot') assert.deepEqual(d.datagram, m);
    },
  ), { numRuns: 3000 });
  assert.ok(seen.accepted > 0 && seen.refused > 0, JSON.stringify(seen));
});

test('from any term the wire accepts, a candidate\'s next terms still encode and its state reads back', () => {
  fc.assert(fc.property(nearLimitsArb(MAX_TERM), fc.integer({ min: 1, max: 3 }), (t, elections) => {
    const forged: Message = { type: 'RequestVote', term: term(t), from: nodeId(2), to: nodeId(1), lastLogIndex: logIndex(0), lastLogTerm: term(0) };
    const d = codec.decode(codec.encode(forged)[0]!);
    if (!d.ok || d.datagram.type !== 'RequestVote') return;
    let node = run(nodeIn('follower'), d.datagram);
    for (let k = 0; k < elections; k++) {
      node = run(node, { type: 'ElectionTimeout' });
      assert.equal(node.state.currentTerm, Math.max(t, 0) + k + 1);
      const p = persistentStateOf(node.state);
      assert.deepEqual(decodePersistentState(encodePersistentState(p)), p);
      for (const m of sent(node.effects)) assert.ok(codec.encode(m).length > 0);
    }
  }), { numRuns: 500 });
});
