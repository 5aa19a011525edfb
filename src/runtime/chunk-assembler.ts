// Receiving side of a message split across datagrams: a §7 InstallSnapshot, or an AppendEntries
// whose one entry is larger than a datagram. Chunks are collected per sender and transfer until
// every byte has arrived; then the bytes go back to the transport, which rebuilds the message.
// UDP loses, duplicates and reorders chunks: a duplicate adds nothing, and a transfer that never
// completes is a lost message, which Raft already tolerates (the leader sends it again, and chunks
// kept from earlier attempts fill the gaps, so a lossy link still converges). Memory is bounded by
// what was received, never by what a chunk claims: at most `transfersPerSender` transfers of at
// most `maxBytes` each per sender, the oldest evicted first, and any left idle for `idleMs` dropped.
import type { NodeId } from '../machine/index.ts';

/** Bytes [offset, offset + data.length) of a transfer of `total` bytes. */
export interface Chunk {
  readonly from: NodeId;
  readonly offset: number;
  readonly total: number;
  readonly data: Uint8Array;
}

export interface AssemblerLimits {
  /** The largest transfer accepted; a chunk claiming more is refused unread. */
  readonly maxBytes: number;
  /** Transfers kept per sender at once; a new one evicts the least recently fed. */
  readonly transfersPerSender: number;
  /** A transfer not fed for this long is dropped (its sender gave up or lost the leadership). */
  readonly idleMs: number;
}

interface Transfer {
  readonly chunks: Map<number, Uint8Array>;
  received: number;
  touched: number;
}

export class ChunkAssembler {
  /** Per sender, its transfers by key, least recently fed first. */
  private readonly senders = new Map<NodeId, Map<string, Transfer>>();

  constructor(private readonly limits: AssemblerLimits) {}

  /**
   * Takes one chunk of the transfer `key` (which must name the transfer's content: chunks of
   * equal keys are pieces of the same bytes); returns the bytes once the last missing one arrived.
   */
  add(chunk: Chunk, key: string, now: number): Uint8Array | 'incomplete' | 'too large' {
    if (chunk.total > this.limits.maxBytes) return 'too large';
    this.evictIdle(now);
    let transfers = this.senders.get(chunk.from);
    if (transfers === undefined) this.senders.set(chunk.from, transfers = new Map());
    let t = transfers.get(key);
    if (t === undefined) {
      t = { chunks: new Map(), received: 0, touched: now };
      if (transfers.size >= this.limits.transfersPerSender) transfers.delete(transfers.keys().next().value!);
    }
    transfers.delete(key);
    transfers.set(key, t);
    t.touched = now;
    if (!t.chunks.has(chunk.offset)) {
      t.chunks.set(chunk.offset, chunk.data);
      t.received += chunk.data.length;
    }
    if (t.received < chunk.total) return 'incomplete';
    transfers.delete(key);
    return assemble(t.chunks, chunk.total) ?? 'incomplete';
  }

  /** Bytes held for incomplete transfers, over every sender. */
  get heldBytes(): number {
    let n = 0;
    for (const transfers of this.senders.values()) for (const t of transfers.values()) n += t.received;
    return n;
  }

  private evictIdle(now: number): void {
    for (const transfers of this.senders.values()) {
      for (const [key, t] of transfers) if (now - t.touched > this.limits.idleMs) transfers.delete(key);
    }
  }
}

/** The bytes, if the chunks tile [0, total) exactly; a sender changing its chunk size breaks the tiling. */
function assemble(chunks: Map<number, Uint8Array>, total: number): Uint8Array | null {
  const data = new Uint8Array(total);
  let end = 0;
  for (const offset of [...chunks.keys()].sort((a, b) => a - b)) {
    if (offset !== end) return null;
    const chunk = chunks.get(offset)!;
    data.set(chunk, offset);
    end += chunk.length;
  }
  return end === total ? data : null;
}
