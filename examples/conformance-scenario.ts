// The conformance scenario: a simulated election, replication, a leader crash and a second
// election, through the machine alone (examples/host-loop.ts), checked against the results Raft
// requires. It uses no host API at all, so the same code runs under Node, Bun, Deno and in a
// Web Worker; each host only reports the verdict its own way.
import { deriveStepper, nodeId, type NodeId, type Stepper } from '../src/machine/index.ts';
import { HostLoop } from './host-loop.ts';

export interface Check { readonly what: string; readonly ok: boolean; readonly detail: string }
export interface ConformanceReport { readonly passed: boolean; readonly checks: readonly Check[] }

/** `step` is the shipped machine unless a test hands in a broken one to see the scenario catch it. */
export function runConformance(step: Stepper = deriveStepper()): ConformanceReport {
  const checks: Check[] = [];
  const expect = (what: string, actual: unknown, expected: unknown) => {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    checks.push({ what, ok: a === e, detail: a === e ? a : `got ${a}, expected ${e}` });
  };
  const [n1, n2, n3] = [1, 2, 3].map(nodeId) as [NodeId, NodeId, NodeId];
  const host = new HostLoop([n1, n2, n3], step);
  const roles = () => [...host.nodes.values()].map((n) => n.role);
  const terms = () => [...host.nodes.values()].map((n) => n.state.currentTerm);
  const commits = () => [...host.nodes.values()].map((n) => n.state.commitIndex);

  // Election: node 1 times out first and wins term 1.
  host.fire(n1, { type: 'ElectionTimeout' });
  expect('a timed-out follower becomes candidate', roles(), ['candidate', 'follower', 'follower']);
  host.deliverAll();
  expect('node 1 wins the election of term 1', roles(), ['leader', 'follower', 'follower']);
  expect('everyone is in term 1', terms(), [1, 1, 1]);
  expect('the voters voted for node 1, durably', [n2, n3].map((id) => host.durable.get(id)?.votedFor), [1, 1]);

  // Replication: two commands reach every log; the next heartbeat carries the commit.
  host.fire(n1, { type: 'Propose', commands: ['x=1', 'y=2'] });
  host.deliverAll();
  expect('the leader commits once a majority has the entries', host.nodes.get(n1)!.state.commitIndex, 2);
  host.fire(n1, { type: 'HeartbeatDue' });
  host.deliverAll();
  expect('every node commits both entries', commits(), [2, 2, 2]);
  expect('every service applied both, in order', [...host.applied.values()], [['x=1', 'y=2'], ['x=1', 'y=2'], ['x=1', 'y=2']]);

  // Durability before speech: in every step, the persist comes before any send.
  const sentBeforePersist = host.effectLog.filter(({ effects }) => {
    const p = effects.findIndex((e) => e.type === 'persist');
    return p > 0 && effects.slice(0, p).some((e) => e.type === 'send');
  });
  expect('no step sends before it persists', sentBeforePersist.length, 0);

  // The leader crashes; node 2 is elected in term 2 without it, and commits a new entry.
  host.fire(n2, { type: 'ElectionTimeout' });
  host.deliverAll((m) => m.to === n1 || m.from === n1);
  expect('node 2 wins term 2 with node 3 alone', roles(), ['leader', 'leader', 'follower']);
  host.fire(n2, { type: 'Propose', commands: ['z=3'] });
  host.deliverAll((m) => m.to === n1 || m.from === n1);
  host.fire(n2, { type: 'HeartbeatDue' });
  host.deliverAll((m) => m.to === n1 || m.from === n1);
  expect('the majority commits index 3', commits(), [2, 3, 3]);

  // Node 1 restarts from durable state, hears of term 2, and catches up.
  host.restart(n1);
  expect('the restarted node comes back as a follower of its old term', [host.nodes.get(n1)!.role, host.nodes.get(n1)!.state.currentTerm], ['follower', 1]);
  host.fire(n2, { type: 'HeartbeatDue' });
  host.deliverAll();
  expect('all three agree on one leader in term 2', [roles(), terms()], [['follower', 'leader', 'follower'], [2, 2, 2]]);
  expect('all three logs hold the same three entries', [...host.nodes.values()].map((n) => n.state.log.entries.map((e) => [e.term, e.command])),
    Array(3).fill([[1, 'x=1'], [1, 'y=2'], [2, 'z=3']]));
  expect('the restarted node re-applies everything in order', host.applied.get(n1), ['x=1', 'y=2', 'z=3']);

  return { passed: checks.every((c) => c.ok), checks };
}
