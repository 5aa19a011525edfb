import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { realClock, SimulatedClock } from '../../src/runtime/clock.ts';

describe('SimulatedClock', () => {
  it('runs callbacks by due time, ties in the order they were scheduled', () => {
    const clock = new SimulatedClock();
    const seen: string[] = [];
    clock.schedule(10, () => seen.push('b@10'));
    clock.schedule(5, () => seen.push('a@5'));
    clock.schedule(10, () => seen.push('c@10'));
    clock.schedule(0, () => {
      seen.push('z@0');
      clock.schedule(0, () => seen.push('y@0, scheduled while running'));
    });
    clock.advance(100);
    assert.deepEqual(seen, ['z@0', 'y@0, scheduled while running', 'a@5', 'b@10', 'c@10']);
    assert.equal(clock.now(), 100);
  });

  it('a cancelled callback never runs, and cancelling twice is harmless', () => {
    const clock = new SimulatedClock();
    let ran = false;
    const cancel = clock.schedule(5, () => { ran = true; });
    assert.equal(clock.pending(), 1);
    cancel();
    cancel();
    assert.equal(clock.pending(), 0);
    clock.advance(10);
    assert.equal(ran, false);
  });

  it('sees time at the due moment, and advance stops at its horizon', () => {
    const clock = new SimulatedClock();
    const at: number[] = [];
    for (const d of [3, 7, 12]) clock.schedule(d, () => at.push(clock.now()));
    clock.advance(10);
    assert.deepEqual(at, [3, 7]);
    assert.equal(clock.now(), 10);
    clock.advance(2);
    assert.deepEqual(at, [3, 7, 12]);
  });

  it('advance refuses a livelock: callbacks that keep time from passing', () => {
    const clock = new SimulatedClock();
    const ping = () => { clock.schedule(0, ping); };
    ping();
    assert.throws(() => clock.advance(10, 1000), /livelock at 0 ms/);
  });

  it('runs an async script to its end in virtual time, with background callbacks in between', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    let ticks = 0;
    const tick = () => { ticks++; clock.schedule(100, tick); };
    clock.schedule(100, tick);
    const result = await clock.run(async () => {
      await clock.sleep(250);
      log.push(`woke at ${clock.now()} after ${ticks} ticks`);
      await Promise.all([clock.sleep(50), clock.sleep(30)]);
      return clock.now();
    });
    assert.equal(result, 300);
    assert.deepEqual(log, ['woke at 250 after 2 ticks']);
  });

  it('refuses a script that waits for nothing', async () => {
    const clock = new SimulatedClock();
    await assert.rejects(clock.run(() => new Promise<void>(() => {})), /stuck/);
  });

  it('aborts a run when the check reports an error', async () => {
    const clock = new SimulatedClock();
    let n = 0;
    const tick = () => { n++; clock.schedule(1, tick); };
    clock.schedule(1, tick);
    await assert.rejects(clock.run(() => clock.sleep(1000), () => (n >= 5 ? new Error('fatal') : undefined)), /fatal/);
    assert.equal(clock.now(), 5);
  });
});

describe('realClock', () => {
  it('runs a zero delay in a later task, never inside the caller, and cancels', async () => {
    const seen: string[] = [];
    realClock.schedule(1, () => seen.push('timer'));
    realClock.schedule(0, () => seen.push('immediate'));
    realClock.schedule(0, () => seen.push('cancelled'))();
    seen.push('sync');
    await realClock.sleep(20);
    // On a loaded machine the loop may reach its timers phase only after 20 ms, and then run both
    // timers before the check phase where immediates run: one more immediate makes sure it has.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen[0], 'sync');
    assert.deepEqual([...seen].sort(), ['immediate', 'sync', 'timer']);
  });
});
