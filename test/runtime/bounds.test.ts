// Issue 11.3: a node could reach a state it could not read back. Over the whole range of terms
// and indices, values at and around the limits weighted in: a message is accepted exactly when
// its terms and indices are within MAX_TERM and MAX_INDEX; a node that acts on what was accepted
// (a snapshot and entries up to the limits, then elections) saves a state that FileStorage writes
// and reads back exactly; and what the node sends, peers read as long as its term is within the
// limit. (Refused datagrams are counted and never adopted by a live node: udp-file-cluster.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  MAX_INDEX, MAX_TERM, log, logIndex, nodeId, persistentStateOf, term, type Message, type NodeSnapshot,
} from '../../src/machine/index.ts';
import { FileStorage } from '../../src/runtime/file-storage.ts';
import { createWireCodec, type WireCodec } from '../../src/runtime/wire-codec.ts';
import { nearLimitsArb } from '../support/arbitraries.ts';
import { nodeIn, run, sent } from '../support/build.ts';

const members = [1, 2, 3].map(nodeId);
const codecOf = (self: number): WireCodec => createWireCodec({ clusterId: 3, self: nodeId(self), members });
const atNode1 = codecOf(1);
const atNode2 = codecOf(2);

/** The whole range a reader takes (safe integers), the limit itself and values near it weighted in. */
const rangeArb = (limit: number) => fc.oneof(
  { weight: 2, arbitrary: nearLimitsArb(limit) },
  { weight: 1, arbitrary: fc.constant(limit) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) },
);

/** What node 1 makes of `m` sent by node 2: the message, or the reason it was refused. */
function received(m: Message): Message | string {
  const datagrams = atNode2.encode(m);
  assert.equal(datagrams.length, 1);
  const d = atNode1.decode(datagrams[0]!);
  if (!d.ok) return d.reason;
  if (d.datagram.type !== 'InstallSnapshotChunk') return d.datagram as Message;
  const { term: t, from, to, lastIncludedIndex, lastIncludedTerm, data } = d.datagram;
  return { type: 'InstallSnapshot', term: t, from, to, lastIncludedIndex, lastIncludedTerm, data };
}

async function roundTrip(dir: string, node: NodeSnapshot): Promise<void> {
  const saved = persistentStateOf(node.state);
  const storage = await FileStorage.open({ dir, clusterId: 3, nodeId: nodeId(1) });
  storage.save(saved);
  await storage.close();
  const reopened = await FileStorage.open({ dir, clusterId: 3, nodeId: nodeId(1) });
  try {
    assert.deepEqual(reopened.load(), saved);
  } finally {
    await reopened.close();
  }
}

test('every term and index the wire accepts, a node can act on, save and read back; peers read what it sends within the limit', { timeout: 120_000 }, async () => {
  const seen = { accepted: 0, refused: 0, atTermLimit: 0, atIndexLimit: 0, pastTermLimit: 0 };
  await fc.assert(fc.asyncProperty(
    rangeArb(MAX_TERM).map((t) => Math.max(1, t)), rangeArb(MAX_INDEX), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }),
    async (t, i, count, elections) => {
      const env = { term: term(t), from: nodeId(2), to: nodeId(1) };
      const prevTerm = term(i === 0 ? 0 : t);
      const snapshot: Message = { type: 'InstallSnapshot', ...env, lastIncludedIndex: logIndex(i), lastIncludedTerm: prevTerm, data: Uint8Array.of(1, 2, 3) };
      const append: Message = {
        type: 'AppendEntries', ...env, prevLogIndex: logIndex(i), prevLogTerm: prevTerm,
        entries: Array.from({ length: count }, (_, k) => ({ term: term(t), command: `c${k}` })), leaderCommit: logIndex(i),
      };
      const within = t <= MAX_TERM && i + count <= MAX_INDEX;
      const messages = [received(snapshot), received(append)];
      const refusals = messages.filter((m): m is string => typeof m === 'string');
      if (refusals.length > 0) {
        seen.refused++;
        assert.ok(!within, `refused within the limits: ${refusals.join('; ')}`);
        for (const reason of refusals) assert.match(reason, /past the limit/);
        return;
      }
      seen.accepted++;
      assert.ok(within, `accepted term ${t}, index ${i} + ${count}`);
      if (t === MAX_TERM) seen.atTermLimit++;
      if (i + count === MAX_INDEX) seen.atIndexLimit++;
      let node: NodeSnapshot = run(nodeIn('follower'), ...(messages as Message[]));
      assert.equal(node.state.currentTerm, t);
      assert.equal(log.lastIndex(node.state.log), i + count);
      const dir = await mkdtemp(join(tmpdir(), 'raft-bounds-'));
      try {
        await roundTrip(dir, node);
        for (let k = 0; k < elections; k++) {
          const r = run(node, { type: 'ElectionTimeout' });
          node = r;
          assert.equal(node.state.currentTerm, t + k + 1);
          await roundTrip(dir, node);
          for (const m of sent(r.effects)) {
            const peer = createWireCodec({ clusterId: 3, self: m.to, members });
            const d = peer.decode(atNode1.encode(m)[0]!);
            // A node pushed to MAX_TERM by a forged message, then campaigning, is past what peers
            // accept: it keeps its state readable but is no longer heard (see the report of issue 11.3).
            assert.equal(d.ok, m.term <= MAX_TERM, `${m.type} at term ${m.term}: ${d.ok ? 'accepted' : d.reason}`);
            if (d.ok) assert.deepEqual(d.datagram, m);
            else seen.pastTermLimit++;
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  ), { numRuns: 200, seed: 11 });
  assert.ok(seen.accepted > 0 && seen.refused > 0 && seen.atTermLimit > 0 && seen.atIndexLimit > 0 && seen.pastTermLimit > 0, JSON.stringify(seen));
});
