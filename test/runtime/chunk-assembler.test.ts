// Reassembly of messages split across datagrams, as UDP delivers them: lost, duplicated and
// reordered chunks, and senders that give up. Whatever arrives, the assembler hands back exactly
// the bytes sent or nothing, and holds no more than its limits allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nodeId } from '../../src/machine/index.ts';
import { ChunkAssembler, type Chunk } from '../../src/runtime/chunk-assembler.ts';

const chunksOf = (from: number, bytes: Uint8Array, size: number): Chunk[] => {
  const out: Chunk[] = [];
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += size) {
    out.push({ from: nodeId(from), offset, total: bytes.length, data: bytes.subarray(offset, offset + size) });
  }
  return out;
};

test('lost, duplicated and reordered chunks give back the bytes sent, once every chunk arrived at least once', () => {
  fc.assert(fc.property(
    fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 400 }), fc.array(fc.nat(), { maxLength: 200 }),
    (bytes, size, order) => {
      const chunks = chunksOf(2, bytes, size);
      // A delivery: chunks picked at random (duplicates and gaps), then every chunk in order, as a retry fills the gaps.
      const delivery = [...order.map((k) => chunks[k % chunks.length]!), ...chunks];
      const assembler = new ChunkAssembler({ maxBytes: 3000, transfersPerSender: 1, idleMs: 1000 });
      const results = delivery.map((c) => assembler.add(c, 'k', 0));
      const done = results.flatMap((r, i) => (r instanceof Uint8Array ? [i] : []));
      assert.ok(done.length >= 1);
      assert.deepEqual(results[done[0]!], bytes);
      // Not before every distinct chunk had arrived.
      const seen = new Set(delivery.slice(0, done[0]! + 1).map((c) => c.offset));
      assert.equal(seen.size, chunks.length);
      // Chunks after the completion start a new transfer of the same bytes, held within its size.
      assert.ok(assembler.heldBytes <= bytes.length, `${assembler.heldBytes} bytes held`);
    },
  ), { numRuns: 500 });
});

test('a transfer above maxBytes is refused unread; memory per sender stays within its transfers', () => {
  const assembler = new ChunkAssembler({ maxBytes: 1000, transfersPerSender: 2, idleMs: 1000 });
  assert.equal(assembler.add({ from: nodeId(2), offset: 0, total: 1001, data: new Uint8Array(10) }, 'big', 0), 'too large');
  assert.equal(assembler.heldBytes, 0);
  // Five transfers begun, none finished: only the two most recently fed are kept.
  for (let k = 0; k < 5; k++) assert.equal(assembler.add({ from: nodeId(2), offset: 0, total: 1000, data: new Uint8Array(600) }, `t${k}`, k), 'incomplete');
  assert.equal(assembler.heldBytes, 1200);
  // The evicted t0 starts over: its second half alone completes nothing.
  assert.equal(assembler.add({ from: nodeId(2), offset: 600, total: 1000, data: new Uint8Array(400) }, 't0', 5), 'incomplete');
  assert.ok(assembler.add({ from: nodeId(2), offset: 600, total: 1000, data: new Uint8Array(400) }, 't4', 5) instanceof Uint8Array);
  // Another sender has its own transfers.
  assert.equal(assembler.add({ from: nodeId(3), offset: 0, total: 1000, data: new Uint8Array(600) }, 't0', 5), 'incomplete');
  assert.equal(assembler.heldBytes, 400 + 600);
});

test('a transfer left idle is dropped, and chunks that overlap instead of tiling complete nothing', () => {
  const assembler = new ChunkAssembler({ maxBytes: 1000, transfersPerSender: 4, idleMs: 100 });
  assert.equal(assembler.add({ from: nodeId(2), offset: 0, total: 100, data: new Uint8Array(50) }, 'a', 0), 'incomplete');
  assert.equal(assembler.add({ from: nodeId(3), offset: 0, total: 100, data: new Uint8Array(50) }, 'b', 150), 'incomplete');
  assert.equal(assembler.heldBytes, 50);
  assert.equal(assembler.add({ from: nodeId(2), offset: 50, total: 100, data: new Uint8Array(50) }, 'a', 150), 'incomplete');
  assert.equal(assembler.add({ from: nodeId(3), offset: 40, total: 100, data: new Uint8Array(60) }, 'b', 160), 'incomplete');
  assert.equal(assembler.heldBytes, 50);
});
