// The lab checks must be able to fail: each faulty Raft below breaks one rule, and the scenario
// that guards that rule must catch it under at least one of a few seeds, with the lab's message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deriveStepper, handlers, logIndex, type Effect, type Handler, type LogIndex, type Stepper,
} from '../../src/machine/index.ts';
import { labTimings } from '../../src/runtime/node.ts';
import { scenarios } from './lab/scenarios.ts';
import { runScenario, type Variant } from './lab/run.ts';

const withoutEffect = (type: Effect['type'], h: Handler): Handler => (s, e) => {
  const step = h(s, e);
  return { ...step, effects: step.effects.filter((x) => x.type !== type) };
};

/** Forgets to persist anything: a restarted node comes back empty. */
const fresh = deriveStepper();
const forgetsPersist: Stepper = (node, event) => {
  const r = fresh(node, event);
  return { ...r, effects: r.effects.filter((e) => e.type !== 'persist') };
};

/** Grants votes without the election restriction (§5.4.1). */
const votesForAnyLog: Handler = (s, e) => {
  if (e.type !== 'RequestVote') throw new Error('routed wrongly');
  const grant = e.term === s.currentTerm && (s.votedFor === null || s.votedFor === e.from);
  const reply: Effect = { type: 'send', message: { type: 'RequestVoteReply', term: s.currentTerm, from: s.id, to: e.from, voteGranted: grant } };
  if (!grant) return { state: s, effects: [reply] };
  return { state: { ...s, votedFor: e.from }, effects: [{ type: 'persist' }, { type: 'resetElectionTimer' }, reply] };
};

/** Sends every follower the whole log on every heartbeat. */
const resendsWholeLog: Handler = (s) => {
  const start = logIndex(s.log.snapshotIndex + 1);
  const nextIndex: Record<number, LogIndex> = {};
  for (const peer of Object.keys(s.nextIndex)) nextIndex[Number(peer)] = start;
  return handlers.sendHeartbeats({ ...s, nextIndex });
};

interface Mutant {
  readonly name: string;
  readonly variant: Variant;
  readonly caughtBy: string;
  readonly message: RegExp;
}

const mutants: Mutant[] = [
  { name: 'forgets to persist', variant: { stepper: forgetsPersist }, caughtBy: 'TestPersist13C', message: /failed to reach agreement|committed values do not match|commit index/ },
  { name: 'votes for any log', variant: { stepper: deriveStepper({ handlers: { handleRequestVote: votesForAnyLog } }) }, caughtBy: 'TestPersist23C', message: /commit index=|committed values do not match/ },
  { name: 'resends the whole log', variant: { stepper: deriveStepper({ handlers: { sendHeartbeats: resendsWholeLog } }) }, caughtBy: 'TestRPCBytes3B', message: /too many RPC bytes/ },
  { name: 'heartbeats 33 times a second', variant: { timings: { ...labTimings, heartbeatIntervalMs: 30 } }, caughtBy: 'TestCount3B', message: /too many RPCs/ },
  {
    name: 'keeps an installed snapshot from the service',
    variant: { stepper: deriveStepper({ handlers: { handleInstallSnapshot: withoutEffect('applySnapshot', handlers.handleInstallSnapshot) } }) },
    caughtBy: 'TestSnapshotInstall3D',
    message: /apply out of order/,
  },
];

describe('Lab 3 checks catch a faulty Raft', () => {
  for (const mutant of mutants) {
    it(`${mutant.caughtBy} catches: ${mutant.name}`, async () => {
      const scenario = scenarios.find((s) => s.name === mutant.caughtBy)!;
      const failures: string[] = [];
      for (const seed of [1, 2, 3, 4, 5]) {
        try {
          await runScenario(scenario, seed, 'simulated', mutant.variant);
        } catch (error) {
          failures.push((error as Error).message);
          break;
        }
      }
      assert.equal(failures.length, 1, `${mutant.name} passed ${mutant.caughtBy} under seeds 1..5`);
      assert.match(failures[0]!, mutant.message);
      assert.match(failures[0]!, /replay: npm run test:soak -- --scenario \w+ --seed \d+/);
    });
  }
});
