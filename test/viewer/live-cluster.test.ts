// The viewer's live cluster, without a browser: on simulated time it elects, replicates, survives
// a crashed leader and a partition, and never breaks a safety property the checker checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raftProperties } from '../../src/checker/raft/properties.ts';
import { LiveCluster, parseGroups } from '../../viewer/live-cluster.ts';

const safety = raftProperties.filter((p) => p.expectation === 'always');

function runUntil(c: LiveCluster, done: () => boolean, limitMs = 20_000): void {
  const start = c.now;
  while (!done()) {
    assert.ok(c.now - start < limitMs, `not done within ${limitMs} simulated ms:\n${c.history.slice(-20).join('\n')}`);
    c.advance(10);
    for (const p of safety) assert.ok(p.holds(c.state), `${p.name} violated:\n${c.history.slice(-20).join('\n')}`);
  }
}

for (const nodes of [3, 5]) {
  test(`${nodes} live nodes elect a leader, commit an entry, and elect a new leader after a crash`, () => {
    const c = new LiveCluster(nodes, 7);
    runUntil(c, () => c.leader !== undefined);
    const first = c.leader!;
    assert.ok(c.propose());
    runUntil(c, () => c.state.nodes.every((n) => n.state.commitIndex >= 1));
    c.crash(first);
    assert.equal(c.frame().step.nodes[first]!.up, false);
    runUntil(c, () => c.leader !== undefined && c.leader !== first);
    assert.ok(c.state.nodes[c.leader!]!.state.currentTerm > c.state.nodes[first]!.state.currentTerm);
    c.restart(first);
    assert.ok(c.propose());
    runUntil(c, () => c.state.nodes.every((n) => n.state.commitIndex >= 2));
  });
}

test('an isolated leader is replaced, and rejoins as a follower when the partition heals', () => {
  const c = new LiveCluster(3, 3);
  runUntil(c, () => c.leader !== undefined);
  const old = c.leader!;
  c.isolate(old);
  runUntil(c, () => c.state.nodes.some((n, i) => i !== old && n.role === 'leader'));
  c.isolate(null);
  runUntil(c, () => c.state.nodes[old]!.role === 'follower');
});

test('dropping a message removes it from the network; stepping runs one event', () => {
  const c = new LiveCluster(3, 1);
  while (c.state.network.length === 0) assert.ok(c.stepOnce());
  const before = c.state.network.length;
  c.drop(0);
  assert.equal(c.state.network.length, before - 1);
  assert.match(c.history.at(-1)!, /network drops/);
  const frame = c.frame();
  assert.equal(frame.progress.length, frame.step.inFlight.length);
  assert.ok(frame.progress.every((p) => p >= 0 && p <= 1));
});

test('election timers run down for followers and candidates, and are not shown for leaders and down nodes', () => {
  const c = new LiveCluster(3, 2);
  runUntil(c, () => c.leader !== undefined);
  c.crash((c.leader! + 1) % 3);
  const timers = c.frame().electionTimers!;
  c.state.nodes.forEach((n, i) => {
    if (n.role === 'leader' || c.down.has(i)) assert.equal(timers[i], null);
    else assert.ok(timers[i]! > 0 && timers[i]! <= 1, `node ${i + 1}: ${timers[i]}`);
  });
  const before = timers.find((t) => t !== null)!;
  c.advance(5);
  const after = c.frame().electionTimers!.find((t) => t !== null)!;
  assert.notEqual(after, before, 'a timer neither ran down nor was reset');
});

test('a partition into groups: each group hears only itself; the majority group elects, the minority cannot', () => {
  const c = new LiveCluster(5, 4);
  runUntil(c, () => c.leader !== undefined);
  const old = c.leader!;
  const minority = [old + 1, ((old + 1) % 5) + 1];
  c.partitionInto([minority]);
  assert.match(c.history.at(-1)!, /partitioned: \{.+\} \{.+\}/);
  assert.deepEqual(c.partition!.map((g, i) => (minority.includes(i + 1) ? g === 0 : g === 1)), [true, true, true, true, true]);
  runUntil(c, () => c.state.nodes.some((n, i) => !minority.includes(i + 1) && n.role === 'leader' && n.state.currentTerm > c.state.nodes[old]!.state.currentTerm));
  assert.ok(c.propose());
  const committed = (i: number) => c.state.nodes[i]!.state.commitIndex;
  runUntil(c, () => c.state.nodes.every((_, i) => minority.includes(i + 1) || committed(i) >= 1));
  assert.ok(minority.every((id) => committed(id - 1) === 0), 'the minority committed without a majority');
  c.partitionInto(null);
  runUntil(c, () => c.state.nodes.every((_, i) => committed(i) >= 1));
});

test('groups typed by a person: parsed, or refused with a reason', () => {
  assert.deepEqual(parseGroups('1 2 | 3,4 5', 5), [[1, 2], [3, 4, 5]]);
  assert.deepEqual(parseGroups(' 2 ', 3), [[2]]);
  assert.match(parseGroups('1 | 6', 5) as string, /nodes are 1 to 5: .* names 6/);
  assert.match(parseGroups('1 2 | 2', 5) as string, /node 2 is in two groups/);
  assert.match(parseGroups('a', 5) as string, /names something else/);
  assert.match(parseGroups('', 5) as string, /for example/);
});

test('the snapshot button compacts a node\'s applied log, and says so when there is nothing to compact', () => {
  const c = new LiveCluster(3, 2);
  const first = c.state.nodes[0]!;
  assert.equal(c.snapshot(0), false);
  assert.match(c.history.at(-1)!, /node 1 has applied nothing since its last snapshot/);
  assert.equal(c.state.nodes[0], first);
  runUntil(c, () => c.leader !== undefined);
  assert.ok(c.propose());
  runUntil(c, () => c.state.nodes.every((n) => n.state.lastApplied >= 1));
  const i = c.leader!;
  assert.equal(c.snapshot(i), true);
  assert.match(c.history.at(-1)!, /service takes a snapshot/);
  assert.ok(c.state.nodes[i]!.state.log.snapshotIndex >= 1);
  assert.equal(c.state.nodes[i]!.state.log.entries.length, 0);
  assert.deepEqual(c.taken.map((t) => t.handlers.join()), ['compact']);
});
