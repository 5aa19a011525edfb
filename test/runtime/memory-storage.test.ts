import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePersistentState, logIndex, nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';

const state = (t: number, commands: number[], snapshot = new Uint8Array(0)): PersistentState => ({
  currentTerm: term(t),
  votedFor: nodeId(2),
  log: { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: commands.map((command) => ({ term: term(t), command })) },
  snapshot,
});

describe('MemoryStorage (the lab persister)', () => {
  it('starts empty and returns what was saved last, raft state and snapshot together', () => {
    const s = new MemoryStorage();
    assert.equal(s.load(), null);
    assert.equal(s.size(), 0);
    const saved = state(3, [1, 2], new Uint8Array([9, 9, 9]));
    s.save(saved);
    assert.equal(s.load(), saved);
    s.save(state(4, [1]));
    assert.equal(s.load()!.currentTerm, 4);
    assert.equal(s.snapshotSize(), 0);
  });

  it('a copy taken at a crash keeps what was saved; later saves of the old incarnation are lost', () => {
    const old = new MemoryStorage();
    old.save(state(1, [10]));
    const next = old.copy();
    old.save(state(2, [10, 20]));
    assert.equal(next.load()!.currentTerm, 1);
    next.save(state(5, []));
    assert.equal(old.load()!.currentTerm, 2);
  });

  it('sizes the raft state without the snapshot, as the codec encodes it', () => {
    const s = new MemoryStorage();
    const big = new Uint8Array(5000);
    s.save(state(7, [123456789, 42], big));
    const withoutSnapshot = encodePersistentState(state(7, [123456789, 42])).length;
    assert.equal(s.size(), withoutSnapshot);
    assert.ok(s.size() < 100);
    assert.equal(s.snapshotSize(), 5000);
  });
});
