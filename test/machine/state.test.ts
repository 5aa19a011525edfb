import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveStepper, initialNode, nodeId, type NodeConfig, type RaftState } from '../../src/machine/index.ts';
import { copyOf } from '../../src/machine/state.ts';

const step = deriveStepper();
const members = [1, 2, 3].map(nodeId);

/** A node of `config` after it won an election: its state has every field that config gives it. */
function leaderOf(config: Omit<NodeConfig, 'id' | 'members'>): RaftState {
  let node = initialNode({ id: members[0]!, members, ...config });
  node = step(node, { type: 'ElectionTimeout' });
  node = step(node, { type: 'RequestVoteReply', term: node.state.currentTerm, from: members[1]!, to: members[0]!, voteGranted: true });
  assert.equal(node.role, 'leader');
  return node.state;
}

test('copyOf is the same data as a spread, keys in the same order (the checker encodes states key by key)', () => {
  const states = [
    initialNode({ id: members[0]!, members }).state,
    leaderOf({}),
    leaderOf({ probeUntilMatch: true }),
    leaderOf({ maxInflightAppends: 4 }),
    leaderOf({
      leaderWritesInParallel: true, announceCommits: true, probeUntilMatch: true, maxInflightAppends: 4,
      maxAppendBytes: { max: 100, entryBytes: () => 1 },
    }),
  ];
  for (const s of states) {
    const copy = copyOf(s);
    assert.notEqual(copy, s);
    assert.deepEqual(Object.keys(copy), Object.keys({ ...s }));
    assert.deepEqual(copy, { ...s });
  }
});
