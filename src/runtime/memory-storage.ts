// The 6.5840 lab's Persister: raft state and snapshot saved together, in memory. A crash hands the
// next incarnation a copy(), so whatever the killed incarnation saves afterwards is lost.
import { encodePersistentState, type CommandCodec, type PersistentState } from '../machine/index.ts';
import type { Storage } from './storage.ts';

const noSnapshot = new Uint8Array(0);

/**
 * A {@link Storage} in memory with the 6.5840 lab's Persister semantics: a save is durable at once,
 * and a simulated crash hands the next incarnation a {@link MemoryStorage.copy}, so what the killed
 * one saves afterwards is lost. Survives no process exit.
 */
export class MemoryStorage implements Storage {
  private saved: PersistentState | null;
  private sizeOfSaved: number | undefined;

  /** `commands` only sizes the state (RaftStateSize); nothing is encoded to be stored. */
  constructor(private readonly commands?: CommandCodec, initial: PersistentState | null = null) {
    this.saved = initial;
  }

  /** Persistent states are immutable values, so the copy shares them, as the lab's Copy() shares slices. */
  copy(): MemoryStorage {
    return new MemoryStorage(this.commands, this.saved);
  }

  load(): PersistentState | null {
    return this.saved;
  }

  save(state: PersistentState): void {
    this.saved = state;
    this.sizeOfSaved = undefined;
  }

  /** Encoded lazily: a cluster that never asks pays nothing for it. */
  size(): number {
    if (this.saved === null) return 0;
    this.sizeOfSaved ??= encodePersistentState({ ...this.saved, snapshot: noSnapshot }, this.commands).length;
    return this.sizeOfSaved;
  }

  /** The saved snapshot's size (the lab's SnapshotSize). */
  snapshotSize(): number {
    return this.saved?.snapshot.length ?? 0;
  }
}
