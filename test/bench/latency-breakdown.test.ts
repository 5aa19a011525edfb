// The one-in-flight timeline's arithmetic, on stamps written by hand: a request whose every step
// is known, and the follower heard first is the one whose path is reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencyBreakdown, type Stamp } from '../../bench/latency-breakdown.ts';

test('latencyBreakdown follows one request through the leader and the follower heard first', () => {
  const client: Stamp[] = [[0, 'propose'], [1000, 'ack']];
  const leader: Stamp[] = [[100, 'in'], [150, 'send'], [160, 'send'], [200, 'sync0'], [700, 'sync1'], [750, 'recv'], [900, 'recv'], [910, 'out'], [920, 'send']];
  // Follower a answers at 740 (heard at 750); b later (heard at 900).
  const a: Stamp[] = [[180, 'recv'], [210, 'sync0'], [600, 'sync1'], [620, 'send'], [950, 'recv']];
  const b: Stamp[] = [[190, 'recv'], [300, 'sync0'], [800, 'sync1'], [850, 'send'], [980, 'recv']];
  const { segments, requests } = latencyBreakdown(client, leader, [b, a], 0);
  assert.equal(requests, 1);
  assert.deepEqual(Object.fromEntries(segments.map((s) => [s.what, s.medianUs])), {
    'client → leader (stdin)': 100,
    'leader: read → first AppendEntries sent': 50,
    'AppendEntries in transit': 30,
    'follower: received → its fsync starts': 30,
    'follower: fsync': 390,
    'follower: fsync done → reply sent': 20,
    'reply in transit': 130,
    'leader: read → its own fsync starts': 100,
    'leader: own fsync': 500,
    'leader: own fsync done, reply heard → ack written': 160,
    'ack → client (stdout)': 90,
    'ack written → every follower has heard of the commit (CP.1)': 70,
    'total': 1000,
  });
});

test('latencyBreakdown leaves out a request with a stamp missing and the warm-up it is told to skip', () => {
  const leader: Stamp[] = [[100, 'in'], [150, 'send'], [200, 'sync0'], [300, 'sync1'], [500, 'recv'], [510, 'out']];
  const follower: Stamp[] = [[180, 'recv'], [210, 'sync0'], [400, 'sync1'], [420, 'send'], [530, 'recv']];
  const client: Stamp[] = [[0, 'propose'], [600, 'ack'], [2000, 'propose']];
  assert.equal(latencyBreakdown(client, leader, [follower], 0).requests, 1, 'the second request has no stamps at all');
  assert.equal(latencyBreakdown(client, leader, [follower], 1).requests, 0);
});
