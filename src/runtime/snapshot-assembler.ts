// Receiving side of §7's chunked InstallSnapshot: chunks are collected per sender until every byte
// of the snapshot has arrived, then the whole snapshot goes to the node as one InstallSnapshot.
// UDP loses and reorders chunks; the leader sends the snapshot again when the follower still lags,
// and chunks kept from earlier attempts fill the gaps, so a lossy link still converges.
import type { InstallSnapshot, NodeId } from '../machine/index.ts';
import type { SnapshotChunk } from './wire-codec.ts';

interface Transfer {
  readonly key: string;
  readonly chunks: Map<number, Uint8Array>;
  received: number;
}

export class SnapshotAssembler {
  private readonly transfers = new Map<NodeId, Transfer>();

  /** `maxBytes` bounds what one sender can make this node hold in memory. */
  constructor(private readonly maxBytes: number) {}

  /** Takes one chunk; returns the snapshot once its last missing byte has arrived. */
  add(chunk: SnapshotChunk): InstallSnapshot | 'incomplete' | 'too large' {
    if (chunk.total > this.maxBytes) return 'too large';
    // A chunk of another snapshot (newer term or index) replaces what was collected before.
    const key = `${chunk.term}/${chunk.lastIncludedIndex}/${chunk.lastIncludedTerm}/${chunk.total}`;
    let t = this.transfers.get(chunk.from);
    if (t === undefined || t.key !== key) {
      t = { key, chunks: new Map(), received: 0 };
      this.transfers.set(chunk.from, t);
    }
    if (!t.chunks.has(chunk.offset)) {
      t.chunks.set(chunk.offset, chunk.data);
      t.received += chunk.data.length;
    }
    if (t.received < chunk.total) return 'incomplete';
    this.transfers.delete(chunk.from);
    const data = assemble(t.chunks, chunk.total);
    if (data === null) return 'incomplete';
    const { term, from, to, lastIncludedIndex, lastIncludedTerm } = chunk;
    return { type: 'InstallSnapshot', term, from, to, lastIncludedIndex, lastIncludedTerm, data };
  }
}

/** The snapshot, if the chunks tile [0, total) exactly; a sender changing its chunk size breaks the tiling. */
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
