import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CorruptStateError, MAX_INDEX, MAX_TERM, crc32, decodePersistentState, encodePersistentState, initialState, logIndex,
  nodeId, persistentStateOf, term, type CommandCodec, type PersistentState,
} from '../../src/machine/index.ts';
import { nearLimitsArb, persistentStateArb } from '../support/arbitraries.ts';
import { logOf } from '../support/build.ts';

test('encoding of persisted state round-trips', () => {
  fc.assert(fc.property(persistentStateArb, (p) => {
    assert.deepEqual(decodePersistentState(encodePersistentState(p)), p);
  }), { numRuns: 500 });
});

test('terms and indices up to the largest exact integer round-trip; a larger one fails the write, not the read back', () => {
  const stateAt = (t: number, i: number): PersistentState => ({
    currentTerm: term(t), votedFor: nodeId(2), snapshot: Uint8Array.of(1),
    log: { snapshotIndex: logIndex(i), snapshotTerm: term(t), entries: [{ term: term(t), command: 'x' }] },
  });
  fc.assert(fc.property(nearLimitsArb(MAX_TERM), nearLimitsArb(MAX_INDEX), (t, i) => {
    const p = stateAt(t, i);
    assert.deepEqual(decodePersistentState(encodePersistentState(p)), p);
  }), { numRuns: 500 });
  assert.throws(() => encodePersistentState(stateAt(2 ** 53, 1)), RangeError);
  assert.throws(() => encodePersistentState(stateAt(1, 2 ** 53)), RangeError);
});

test('any flipped bit is detected, never misread', () => {
  fc.assert(fc.property(persistentStateArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (p, at, bit) => {
    const bytes = encodePersistentState(p).slice();
    bytes[at % bytes.length]! ^= 1 << bit;
    assert.throws(() => decodePersistentState(bytes), CorruptStateError);
  }), { numRuns: 500 });
});

test('arbitrary bytes decode or fail with CorruptStateError, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    try { decodePersistentState(bytes); } catch (e) { assert.ok(e instanceof CorruptStateError, String(e)); }
  }), { numRuns: 2000 });
});

test('a truncated record is refused with the offset where it breaks', () => {
  const bytes = encodePersistentState({ ...persistentStateOf(initialState({ id: nodeId(1), members: [nodeId(1)] })), log: logOf([1, 2]) });
  for (let n = 0; n < bytes.length; n++) assert.throws(() => decodePersistentState(bytes.subarray(0, n)), /corrupt at byte \d+/);
});

test('a record with a valid checksum but a wrong header or a bad command says so', () => {
  const reseal = (body: number[]) => {
    const out = new Uint8Array(body.length + 4);
    out.set(body);
    new DataView(out.buffer).setUint32(body.length, crc32(Uint8Array.from(body)), true);
    return out;
  };
  assert.throws(() => decodePersistentState(reseal([0x52, 0x47, 1, 0, 0, 0, 0, 0, 0])), /not a Raft state record/);
  assert.throws(() => decodePersistentState(reseal([0x52, 0x46, 9, 0, 0, 0, 0, 0, 0])), /unknown version 9/);
  assert.throws(() => decodePersistentState(reseal([0x52, 0x46, 1, 0, 0, 0, 0, 1, 1, 1, 0x7b, 0])), /command 1 does not decode/);
  assert.throws(() => decodePersistentState(reseal([0x52, 0x46, 1, 0, 0, 0, 0, 0, 0, 5])), /trailing bytes/);
  assert.throws(() => decodePersistentState(reseal([0x52, 0x46, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])), /number too large/);
});

test('the command codec is the host\'s choice', () => {
  const raw: CommandCodec = { encode: (c) => c as Uint8Array, decode: (b) => b.slice() };
  const p = { ...persistentStateOf(initialState({ id: nodeId(1), members: [nodeId(1)] })), log: { ...logOf([]), entries: [{ term: 1 as never, command: new Uint8Array([1, 2, 3]) }] } };
  assert.deepEqual(decodePersistentState(encodePersistentState(p, raw), raw), p);
});

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});
