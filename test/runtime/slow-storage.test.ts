// RaftNode on a slow disk: saves finish after random delays in simulated time, nodes crash at any
// moment (often in the middle of a save) and restart from what is on disk. An effect-order checker
// compares what each incarnation sends, saves and applies with what its machine gave, step by step.
// More seeds and longer runs: test/faults/slow-storage.faults.ts (npm run test:faults).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialNode, log, logIndex, nodeId, persistentStateOf, term } from '../../src/machine/index.ts';
import { EffectOrderChecker } from '../support/effect-order-checker.ts';
import { slowStorageRun } from '../support/slow-storage-run.ts';
import type { SlowStorageOptions } from '../support/slow-storage.ts';

const disk: SlowStorageOptions = { delayMs: { min: 0, max: 30 }, stallEvery: 20, stallMs: 400 };

test('on a slow disk with crashes, every send and apply follows the machine’s order and waits for the persist before it', async () => {
  const seeds = process.env['SLOW_STORAGE_SEED'] ? [Number(process.env['SLOW_STORAGE_SEED'])] : [1, 2, 3, 4];
  for (const seed of seeds) {
    const run = await slowStorageRun(seed, { durationMs: 6000, storage: disk, crashEveryMs: 700 });
    console.log(`seed ${seed}: ${JSON.stringify({ ...run, violations: run.violations.length, fatal: run.fatal.length })}`);
    assert.deepEqual(run.violations, [], `seed ${seed}`);
    assert.deepEqual(run.fatal, [], `seed ${seed}`);
    assert.ok(run.recovered, `seed ${seed}: no command committed after the crashes stopped`);
    assert.ok(run.crashesMidSave > 0 && run.afterPersist > 0 && run.committed > 0, `seed ${seed}: the run did not exercise slow saves and crashes`);
  }
});

test('the checker catches a node that sends before its persist is durable (a disk that acknowledges early)', async () => {
  const run = await slowStorageRun(1, { durationMs: 2000, storage: { ...disk, acknowledgeEarly: true }, crashEveryMs: 100_000 });
  assert.ok(run.violations.some((v) => /before step \d+'s persist was durable/.test(v)), `no violation found: ${JSON.stringify(run.violations.slice(0, 3))}`);
});

test('PW.1 the checker lets the node step LogDurable only once a resolved save holds the leader\'s entries', () => {
  const checker = new EffectOrderChecker('node 1');
  const step = checker.stepper();
  const start = initialNode({ id: nodeId(1), members: [nodeId(1), nodeId(2), nodeId(3)] });
  const node = { ...start, state: { ...start.state, log: log.append(start.state.log, [{ term: term(0), command: 'x' }]) } };
  const landed = { type: 'LogDurable', term: term(0), index: logIndex(1) } as const;
  // No save has resolved: reporting the write landed is a lie the checker must name.
  assert.throws(() => step(node, landed), /LogDurable through 1 before a save holding it was durable/);
  const honest = new EffectOrderChecker('node 1');
  const honestStep = honest.stepper();
  honestStep(node, { type: 'HeartbeatDue' });
  honest.saveStarted(persistentStateOf(node.state));
  honest.saveDurable();
  assert.doesNotThrow(() => honestStep(node, landed));
});
