import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/runtime/random.ts';

describe('seededRandom', () => {
  it('is a function of its seed', () => {
    const draw = (seed: number) => { const r = seededRandom(seed); return Array.from({ length: 20 }, () => r.next()); };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('draws in range: floats in [0,1), ints in [0,n), safe integers', () => {
    const r = seededRandom(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      assert.ok(x >= 0 && x < 1);
      counts[r.int(10)]!++;
      const big = r.safeInt();
      assert.ok(Number.isSafeInteger(big) && big >= 0);
    }
    // Roughly uniform: each bucket within 10 % of 2000.
    for (const c of counts) assert.ok(Math.abs(c - 2000) < 200, `bucket count ${c}`);
  });

  it('safeInt uses the high bits too', () => {
    const r = seededRandom(1);
    assert.ok(Array.from({ length: 100 }, () => r.safeInt()).some((x) => x > 2 ** 52));
  });

  it('forks deterministic, independent streams', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const fa = a.fork();
    const fb = b.fork();
    assert.equal(fa.next(), fb.next());
    assert.notEqual(fa.next(), a.next());
  });
});
