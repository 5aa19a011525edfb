import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../src/runtime/token-bucket.ts';

test('a token bucket gives its burst at once, then its rate, and saves no more than its burst', () => {
  const bucket = new TokenBucket(100, 10);
  const taken = (now: number, n: number) => Array.from({ length: n }, () => bucket.take(now)).filter(Boolean).length;
  assert.equal(taken(0, 20), 10);
  assert.equal(taken(50, 20), 5); // 50 ms at 100 a second
  assert.equal(taken(10_050, 20), 10); // ten seconds idle save only the burst
});
