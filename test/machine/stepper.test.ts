import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMachine } from 'xstate';
import {
  deriveStepper, initialNode, nodeId, persistentStateOf, raftMachine, xstateStepper,
  type NodeSnapshot, type RaftEvent, type RaftMachine,
} from '../../src/machine/index.ts';
import { clusterSizeArb, eventArb, type Scripted } from '../support/arbitraries.ts';
import { ids } from '../support/build.ts';

const fast = deriveStepper();
const reference = xstateStepper();

const resolve = (e: Scripted, node: NodeSnapshot): RaftEvent =>
  e.type === 'RestartFromDurable' ? { type: 'Restart', persisted: persistentStateOf(node.state) } : e;

test('the fast stepper yields exactly the state, role and effects of xstate.transition() on random event sequences', () => {
  fc.assert(
    fc.property(clusterSizeArb.chain((size) => fc.tuple(fc.constant(size), fc.array(eventArb(size), { minLength: 1, maxLength: 40 }))), ([size, events]) => {
      let a: NodeSnapshot = initialNode({ id: nodeId(1), members: ids(size) });
      let b = a;
      for (const [i, scripted] of events.entries()) {
        const event = resolve(scripted, a);
        const ra = fast(a, event);
        const rb = reference(b, event);
        assert.deepEqual(ra, rb, `diverged at event ${i} (${event.type})`);
        a = { role: ra.role, state: ra.state };
        b = { role: rb.role, state: rb.state };
      }
    }),
    { numRuns: 300 },
  );
});

test('random sequences reach every role, so the comparison covers all of the statechart', () => {
  const seen = new Set<string>();
  fc.assert(fc.property(fc.array(eventArb(3), { maxLength: 40 }), (events) => {
    let node: NodeSnapshot = initialNode({ id: nodeId(1), members: ids(3) });
    for (const e of events) { node = fast(node, resolve(e, node)); seen.add(node.role); }
  }), { numRuns: 300, seed: 1 });
  assert.deepEqual([...seen].sort(), ['candidate', 'follower', 'leader']);
});

test('the stepper is derived from the statechart: a changed chart changes the stepper', () => {
  const config = editableConfig();
  // Remove the follower's election timeout transition: the derived stepper must ignore it too.
  const follower = (config.states as Record<string, { on: Record<string, unknown> }>).follower!;
  delete follower.on.ElectionTimeout;
  const changed = rebuild(config);
  const node = initialNode({ id: nodeId(1), members: ids(3) });
  assert.equal(deriveStepper({}, changed)(node, { type: 'ElectionTimeout' }).role, 'follower');
  assert.equal(fast(node, { type: 'ElectionTimeout' }).role, 'candidate');
});

test('the stepper refuses a statechart feature it cannot mirror', () => {
  const config = editableConfig();
  (config.states as Record<string, Record<string, unknown>>).leader!.entry = ['becomeLeader'];
  const withEntry = rebuild(config);
  assert.throws(() => deriveStepper({}, withEntry), /cannot mirror entry actions on state leader/);
});

test('the stepper refuses a statechart that names an unknown handler', () => {
  const config = editableConfig();
  (config.states as Record<string, { on: Record<string, unknown> }>).leader!.on.HeartbeatDue = { actions: ['noSuchHandler'] };
  const broken = rebuild(config);
  assert.throws(() => deriveStepper({}, broken), /unknown action "noSuchHandler"/);
});

test('overrides replace one handler and leave the routing as it is', () => {
  const stubborn = deriveStepper({ guards: { hasNewerTerm: () => false } });
  const node = initialNode({ id: nodeId(1), members: ids(3) });
  const r = stubborn(node, { type: 'RequestVoteReply', term: 5 as never, from: nodeId(2), to: nodeId(1), voteGranted: false });
  assert.equal(r.state.currentTerm, 0);
});

test('a handler given an event the statechart should never route to it fails loudly', () => {
  const config = editableConfig();
  (config.states as Record<string, { on: Record<string, unknown> }>).leader!.on.HeartbeatDue = { actions: ['handleRequestVote'] };
  const misrouting = deriveStepper({}, rebuild(config));
  const leaderNode: NodeSnapshot = { role: 'leader', state: initialNode({ id: nodeId(1), members: ids(1) }).state };
  assert.throws(() => misrouting(leaderNode, { type: 'HeartbeatDue' }), /routed HeartbeatDue to a handler for RequestVote/);
});

test('the stepper refuses guards with parameters, which it could not pass on', () => {
  const config = editableConfig();
  (config.states as Record<string, { on: Record<string, unknown> }>).leader!.on.HeartbeatDue = { guard: { type: 'isSoleMember', params: { n: 1 } }, actions: ['sendHeartbeats'] };
  assert.throws(() => deriveStepper({}, rebuild(config)), /named guards and actions without params/);
});

test('a message handler given a non-message event fails loudly', () => {
  const config = editableConfig();
  (config.states as Record<string, { on: Record<string, unknown> }>).leader!.on.HeartbeatDue = { actions: ['adoptTerm'] };
  const node: NodeSnapshot = { role: 'leader', state: initialNode({ id: nodeId(1), members: ids(1) }).state };
  assert.throws(() => deriveStepper({}, rebuild(config))(node, { type: 'HeartbeatDue' }), /routed HeartbeatDue to a message handler/);
});

/** The shipped chart's configuration with its states deep-copied, for a test to edit. */
function editableConfig(): Parameters<typeof createMachine>[0] {
  return { ...raftMachine.config, states: structuredClone(raftMachine.config.states) } as Parameters<typeof createMachine>[0];
}

/** A machine from an edited configuration with the shipped handlers and guards. */
const rebuild = (config: Parameters<typeof createMachine>[0]): RaftMachine =>
  createMachine(config, raftMachine.implementations as never) as unknown as RaftMachine;
