// A storage whose saves take a random while in simulated time, as a real disk's fsyncs do, so that
// a node's effects wait in its queue behind them; a crash may come at any moment, and the save
// under way then lands or not. It reports each save's start and durability to a listener (the
// effect-order checker), which so learns what is durable from the disk, not from the node.
import type { PersistentState } from '../../src/machine/index.ts';
import type { Clock, Cancel } from '../../src/runtime/clock.ts';
import type { Random } from '../../src/runtime/random.ts';
import type { Storage } from '../../src/runtime/storage.ts';

export interface SaveListener {
  saveStarted(state: PersistentState): void;
  saveDurable(): void;
}

export interface SlowStorageOptions {
  /** A save takes a uniform delay in this range, and one in `stallEvery` takes `stallMs` more. */
  readonly delayMs: { readonly min: number; readonly max: number };
  readonly stallEvery: number;
  readonly stallMs: number;
  /** A lying disk: the save resolves at once and is durable only after its delay (for the checker's own test). */
  readonly acknowledgeEarly?: boolean;
}

export class SlowStorage implements Storage {
  listener: SaveListener | null = null;
  private pending: { state: PersistentState; cancel: Cancel } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly options: SlowStorageOptions,
    /** What is on disk. */
    private durable: PersistentState | null = null,
  ) {}

  load(): Promise<PersistentState | null> {
    return Promise.resolve(this.durable);
  }

  save(state: PersistentState): Promise<void> {
    this.listener?.saveStarted(state);
    const { min, max } = this.options.delayMs;
    const delay = min + this.random.int(max - min + 1) + (this.random.int(this.options.stallEvery) === 0 ? this.options.stallMs : 0);
    return new Promise((resolve) => {
      if (this.options.acknowledgeEarly === true) this.clock.schedule(0, resolve);
      const cancel = this.clock.schedule(delay, () => {
        this.pending = null;
        this.durable = state;
        this.listener?.saveDurable();
        resolve();
      });
      this.pending = { state, cancel };
    });
  }

  size(): number {
    return 0;
  }

  /**
   * The process dies: the save under way never resolves, and is on disk or not as `lands` says.
   * Returns a storage holding what is on disk, for the next incarnation.
   */
  crash(lands: boolean): SlowStorage {
    if (this.pending !== null) {
      this.pending.cancel();
      if (lands) this.durable = this.pending.state;
      this.pending = null;
    }
    this.listener = null;
    return new SlowStorage(this.clock, this.random, this.options, this.durable);
  }

  /** A save is under way: a crash now is one in the middle of a write. */
  get saving(): boolean {
    return this.pending !== null;
  }
}
