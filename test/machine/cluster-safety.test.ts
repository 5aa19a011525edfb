// Random schedules of a small cluster through the real stepper, with loss, duplication,
// reordering, timeouts, compaction and crashes, checked against Raft's safety properties after
// every step. The model checker explores such schedules exhaustively; this is the quick,
// randomized version that runs in every `npm test` and shrinks a failure to a short schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { log, logIndex, nodeId, type Term } from '../../src/machine/index.ts';
import { TestCluster } from '../support/cluster.ts';

type Action =
  | { kind: 'deliver' | 'drop' | 'duplicate'; pick: number }
  | { kind: 'timeout' | 'heartbeat' | 'propose' | 'snapshot' | 'crash'; node: number };

const actionArb = (size: number): fc.Arbitrary<Action> => {
  const node = fc.integer({ min: 1, max: size });
  const pick = fc.nat();
  return fc.oneof(
    { weight: 20, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('timeout' as const), node }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), node }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('propose' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), node }) },
  );
};

const leaderOr = (c: TestCluster, fallback: number): number => {
  const leaders = c.ids.filter((id) => c.node(id).role === 'leader');
  return leaders.length === 0 ? fallback : leaders[fallback % leaders.length]!;
};

interface Observed { leaders: number; commits: number; snapshots: number; restarts: number }

function runSchedule(size: number, actions: readonly Action[], seen: Observed): void {
  const c = new TestCluster(size);
  const leaderOfTerm = new Map<Term, number>();
  const committed = new Map<number, unknown>(); // index → command, from every node's applies
  let proposal = 0;
  for (const a of actions) {
    switch (a.kind) {
      case 'deliver': case 'drop': case 'duplicate': {
        if (c.inFlight.length === 0) break;
        const i = a.pick % c.inFlight.length;
        const m = c.inFlight[i]!;
        if (a.kind !== 'duplicate') c.inFlight.splice(i, 1);
        if (a.kind !== 'drop') c.fire(m.to, m);
        break;
      }
      case 'timeout': c.fire(a.node, { type: 'ElectionTimeout' }); break;
      // Proposals and heartbeats go to a leader when there is one: elsewhere they do nothing.
      case 'heartbeat': c.fire(leaderOr(c, a.node), { type: 'HeartbeatDue' }); break;
      case 'propose': c.propose(leaderOr(c, a.node), `v${++proposal}`); break;
      case 'snapshot': {
        const s = c.node(a.node).state;
        c.fire(a.node, { type: 'Snapshot', index: s.lastApplied, data: new Uint8Array([s.lastApplied]) });
        if (c.lastEffects.length > 0) seen.snapshots++;
        break;
      }
      case 'crash': c.crash(a.node); seen.restarts++; break;
    }
    for (const id of c.ids) {
      const { role, state } = c.node(id);
      // Election Safety: at most one leader per term, over the whole history.
      if (role === 'leader') {
        const other = leaderOfTerm.get(state.currentTerm);
        assert.ok(other === undefined || other === id, `two leaders in term ${state.currentTerm}: ${other} and ${id}`);
        if (other === undefined) seen.leaders++;
        leaderOfTerm.set(state.currentTerm, id);
      }
      assert.ok(state.commitIndex <= log.lastIndex(state.log));
    }
    // State Machine Safety: no two nodes apply different commands at one index.
    for (const id of c.ids) {
      for (const applied of c.applied.get(nodeId(id))!) {
        if (applied.kind !== 'entry') continue;
        const prior = committed.get(applied.index);
        if (prior === undefined) { committed.set(applied.index, applied.entry.command); seen.commits++; }
        else assert.equal(applied.entry.command, prior, `index ${applied.index} applied as ${String(applied.entry.command)} and ${String(prior)}`);
      }
    }
    // Log Matching: equal index and term means equal entries up to there.
    for (const a1 of c.ids) for (const b1 of c.ids) {
      if (a1 >= b1) continue;
      const la = c.node(a1).state.log;
      const lb = c.node(b1).state.log;
      const top = Math.min(log.lastIndex(la), log.lastIndex(lb));
      const bottom = Math.max(la.snapshotIndex, lb.snapshotIndex) + 1;
      let matched = false;
      for (let i = top; i >= bottom; i--) {
        const ta = log.termAt(la, logIndex(i));
        if (!matched && ta !== undefined && ta === log.termAt(lb, logIndex(i))) matched = true;
        if (matched) assert.deepEqual(la.entries[i - la.snapshotIndex - 1], lb.entries[i - lb.snapshotIndex - 1], `logs of ${a1} and ${b1} differ at ${i}`);
      }
    }
  }
}

for (const size of [3, 5]) {
  test(`random schedules of a ${size}-node cluster keep Election Safety, Log Matching and State Machine Safety`, () => {
    const seen: Observed = { leaders: 0, commits: 0, snapshots: 0, restarts: 0 };
    fc.assert(fc.property(fc.array(actionArb(size), { minLength: 50, maxLength: 200 }), (actions) => runSchedule(size, actions, seen)), { numRuns: size === 3 ? 1000 : 400, seed: size });
    // The schedules must reach the interesting states, or the run proves little.
    assert.ok(seen.leaders > 100, `leaders elected: ${seen.leaders}`);
    assert.ok(seen.commits > 100, `entries committed: ${seen.commits}`);
    assert.ok(seen.snapshots > 20, `snapshots taken: ${seen.snapshots}`);
    assert.ok(seen.restarts > 20, `restarts: ${seen.restarts}`);
  });
}
