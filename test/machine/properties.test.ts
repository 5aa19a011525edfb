// Invariants of a single node under arbitrary input, and agreement with one leader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  deriveStepper, handlers, initialNode, log, logIndex, nodeId, persistentStateOf, term,
  type Entry, type Message, type NodeSnapshot, type RaftEvent, type RaftLog, type Stepper,
} from '../../src/machine/index.ts';
import { clusterSizeArb, eventArb, type Scripted } from '../support/arbitraries.ts';
import { ids } from '../support/build.ts';

const step = deriveStepper();
const resolve = (e: Scripted, node: NodeSnapshot): RaftEvent =>
  e.type === 'RestartFromDurable' ? { type: 'Restart', persisted: persistentStateOf(node.state) } : e;
const sequences = clusterSizeArb.chain((size) => fc.tuple(fc.constant(size), fc.array(eventArb(size), { maxLength: 60 })));

test('terms never decrease, whatever arrives', () => {
  fc.assert(fc.property(sequences, ([size, events]) => {
    let node: NodeSnapshot = initialNode({ id: nodeId(1), members: ids(size) });
    for (const e of events) {
      const next = step(node, resolve(e, node));
      assert.ok(next.state.currentTerm >= node.state.currentTerm);
      node = next;
    }
  }), { numRuns: 500 });
});

test('commitIndex never decreases (a restart keeps what the snapshot covers) and never passes the last log index', () => {
  fc.assert(fc.property(sequences, ([size, events]) => {
    let node: NodeSnapshot = initialNode({ id: nodeId(1), members: ids(size) });
    for (const e of events) {
      const event = resolve(e, node);
      const next = step(node, event);
      if (event.type !== 'Restart') assert.ok(next.state.commitIndex >= node.state.commitIndex, `${event.type} lowered commitIndex`);
      assert.ok(next.state.commitIndex <= log.lastIndex(next.state.log), `${event.type}: commitIndex past the log`);
      assert.ok(next.state.lastApplied <= next.state.commitIndex);
      assert.ok(next.state.log.snapshotIndex <= next.state.lastApplied);
      node = next;
    }
  }), { numRuns: 500 });
});

test('effects apply every committed index exactly once, in order, within a run', () => {
  fc.assert(fc.property(sequences, ([size, events]) => {
    let node: NodeSnapshot = initialNode({ id: nodeId(1), members: ids(size) });
    let nextToApply = 1;
    for (const e of events) {
      const event = resolve(e, node);
      const r = step(node, event);
      if (event.type === 'Restart') nextToApply = 1;
      for (const fx of r.effects) {
        if (fx.type === 'applySnapshot') nextToApply = fx.index + 1;
        if (fx.type === 'applyEntries') { assert.equal(fx.first, nextToApply); nextToApply += fx.entries.length; }
      }
      assert.equal(nextToApply, r.state.lastApplied + 1);
      node = r;
    }
  }), { numRuns: 500 });
});

// ---- One leader, one follower, any delivery order ----

/** A leader's log: entries of terms 1 and 3, in order. */
const leaderLogArb = fc.array(fc.constantFrom(1, 3), { minLength: 1, maxLength: 8 })
  .map((ts) => [...ts].sort((a, b) => a - b));

/**
 * A follower's log as a real cluster allows (Log Matching): a prefix of the leader's log, then
 * entries from a term-2 leader that the current leader never had.
 */
const followerLogArb = (leaderTerms: readonly number[]) =>
  fc.tuple(fc.integer({ min: 0, max: leaderTerms.length }), fc.integer({ min: 0, max: 5 }))
    .map(([k, extra]): Entry[] => [...entriesOf(leaderTerms.slice(0, k)), ...Array.from({ length: extra }, (_, i) => ({ term: term(2), command: `F${k + i + 1}` }))]);

const entriesOf = (terms: readonly number[], from = 1): Entry[] => terms.map((t, i) => ({ term: term(t), command: `L${from + i}` }));

/** Messages a leader of term 4 with this log could send: any AppendEntries or snapshot cut from its log. */
function leaderMessagesArb(terms: readonly number[]): fc.Arbitrary<Message[]> {
  const n = terms.length;
  const ae = fc.tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }))
    .map(([prev, count, commit]): Message => {
      const last = Math.min(n, prev + count);
      return {
        type: 'AppendEntries', term: term(4), from: nodeId(2), to: nodeId(1),
        prevLogIndex: logIndex(prev), prevLogTerm: term(prev === 0 ? 0 : terms[prev - 1]!),
        entries: entriesOf(terms.slice(prev, last), prev + 1), leaderCommit: logIndex(commit),
      };
    });
  const snapshot = fc.integer({ min: 1, max: n }).map((k): Message => ({
    type: 'InstallSnapshot', term: term(4), from: nodeId(2), to: nodeId(1),
    lastIncludedIndex: logIndex(k), lastIncludedTerm: term(terms[k - 1]!), data: new Uint8Array([k]),
  }));
  return fc.array(fc.oneof({ weight: 5, arbitrary: ae }, { weight: 1, arbitrary: snapshot }), { maxLength: 30 });
}

/** The property: after every message, the follower's log matches the leader's through its commitIndex. */
const agreement = (stepper: Stepper) =>
  fc.property(leaderLogArb.chain((lt) => fc.tuple(fc.constant(lt), followerLogArb(lt), leaderMessagesArb(lt))), ([leaderTerms, followerEntries, messages]) => {
    const leaderLog: RaftLog = { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: entriesOf(leaderTerms) };
    const start = initialNode({ id: nodeId(1), members: ids(3) }).state;
    let follower: NodeSnapshot = { role: 'follower', state: { ...start, currentTerm: term(4), log: { ...start.log, entries: followerEntries } } };
    for (const m of messages) {
      follower = stepper(follower, m);
      const l = follower.state.log;
      for (let i = Math.max(1, l.snapshotIndex); i <= follower.state.commitIndex; i++) {
        assert.equal(log.termAt(l, logIndex(i)), log.termAt(leaderLog, logIndex(i)), `term at ${i}`);
        if (i > l.snapshotIndex) assert.deepEqual(l.entries[i - l.snapshotIndex - 1], leaderLog.entries[i - 1], `entry at ${i}`);
      }
    }
  });

test('after any sequence of messages from one leader, the follower agrees with it up to its commitIndex', () => {
  fc.assert(agreement(step), { numRuns: 1000 });
});

test('the agreement property catches a follower that commits past the entries a request vouched for (AE.5 broken)', () => {
  const trusting = deriveStepper({
    handlers: {
      handleAppendEntries: (s, e) => {
        const r = handlers.handleAppendEntries(s, e);
        if (e.type !== 'AppendEntries' || e.term < s.currentTerm) return r;
        const commitIndex = logIndex(Math.max(r.state.commitIndex, Math.min(e.leaderCommit, log.lastIndex(r.state.log))));
        return { ...r, state: { ...r.state, commitIndex } };
      },
    },
  });
  assert.equal(fc.check(agreement(trusting), { numRuns: 1000, seed: 42 }).failed, true);
});
