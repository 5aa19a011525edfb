// Checks one RaftNode incarnation against its machine, step by step: every effect the machine gave
// (send, persist, apply) is carried out in the order given, a send or apply only once every persist
// before it is durable (a save that started after that step has resolved), the state saved is the
// machine's, and nothing is dropped, except what a crash cut off and an AppendEntries without
// entries that a later send the machine gave tells its follower as well (RaftNode leaves those
// out, and the one that tells it must still come). A leader's own write
// (persistInParallel, PW.1) holds nothing back, but the node may step LogDurable, which lets the
// leader count itself, only for entries a resolved save holds.
// Wire it in with stepper() and transport(); the storage reports saveStarted() and saveDurable(),
// and the node's apply calls go to applied().
import {
  deriveStepper, log, logIndex, type Effect, type Message, type PersistentState, type RaftState, type Stepper,
} from '../../src/machine/index.ts';
import { subsumes, type Applied } from '../../src/runtime/node.ts';
import type { Transport } from '../../src/runtime/transport.ts';

type Expected =
  | { readonly kind: 'persist'; readonly step: number }
  | { readonly kind: 'send'; readonly step: number; readonly message: Message }
  | { readonly kind: 'apply'; readonly step: number; readonly applied: Applied };

export class EffectOrderViolation extends Error {
  override name = 'EffectOrderViolation';
}

export class EffectOrderChecker {
  private readonly expected: Expected[] = [];
  private next = 0;
  private steps = 0;
  private state: RaftState | null = null;
  /** The last step whose state a resolved save holds. */
  private durableStep = 0;
  private saving: { step: number; log: PersistentState['log'] } | null = null;
  /** The log of the last resolved save. */
  private durableLog: PersistentState['log'] | null = null;
  private crashed = false;
  /** Effects carried out, and those of them that came after a persist: the checker saw the queue work. */
  readonly counts = { steps: 0, effects: 0, afterPersist: 0, saves: 0 };
  /**
   * The first violation. It is also thrown, but the node may catch it (a send that throws is fatal
   * to the node), so a test reads it here.
   */
  violation: EffectOrderViolation | null = null;

  constructor(readonly label: string) {}

  stepper(inner: Stepper = deriveStepper()): Stepper {
    return (node, event) => {
      // A report from an earlier term is ignored by the machine (its entries may be gone since).
      if (event.type === 'LogDurable' && event.term === node.state.currentTerm) this.checkLanded(node.state.log, event.index);
      const result = inner(node, event);
      const step = ++this.steps;
      this.counts.steps++;
      this.state = result.state;
      for (const e of result.effects) this.expect(step, e);
      return result;
    };
  }

  transport(inner: Transport): Transport {
    return {
      send: (m) => { this.observe('send', (e) => e.kind === 'send' && e.message === m, `send ${m.type} to ${m.to}`); inner.send(m); },
      onMessage: (handler) => inner.onMessage(handler),
      close: () => inner.close(),
    };
  }

  /** The node began a save of `state` (the storage reports it). */
  saveStarted(state: PersistentState): void {
    if (this.saving !== null) this.fail('a save started while another was under way');
    this.checkSavedState(state);
    this.saving = { step: this.steps, log: state.log };
    this.counts.saves++;
  }

  /** The save under way is on disk (the storage reports it; the node may learn later, or earlier if the storage lies). */
  saveDurable(): void {
    if (this.saving === null) this.fail('a save became durable that never started');
    this.durableStep = Math.max(this.durableStep, this.saving.step);
    this.durableLog = this.saving.log;
    this.saving = null;
  }

  /** The node handed `a` to the service. */
  applied(a: Applied): void {
    this.observe('apply', (e) => e.kind === 'apply' && sameApplied(e.applied, a), `apply ${a.type} ${a.index}`);
  }

  /** The incarnation is gone: what it had not carried out is cut off, and it must do nothing more. */
  crash(): void {
    this.crashed = true;
  }

  /**
   * The run is over and the node quiet: every effect was carried out, but those behind a save still
   * under way (or, after a crash, anything).
   */
  finish(): void {
    if (this.crashed) return;
    while (this.next < this.expected.length && this.expected[this.next]!.kind === 'persist' && this.expected[this.next]!.step <= this.durableStep) this.next++;
    if (this.next === this.expected.length) return;
    const first = this.expected[this.next]!;
    if (first.kind === 'persist' && first.step > this.durableStep && this.saving !== null) return;
    this.fail(`${this.expected.length - this.next} effects never carried out, from step ${first.step}'s ${first.kind} (durable through step ${this.durableStep}, ${this.saving === null ? 'no save' : `a save of step ${this.saving.step}`} under way, ${this.steps} steps)`);
  }

  private expect(step: number, e: Effect): void {
    switch (e.type) {
      case 'persist': this.expected.push({ kind: 'persist', step }); break;
      case 'send': this.expected.push({ kind: 'send', step, message: e.message }); break;
      case 'applyEntries':
        e.entries.forEach((entry, i) => this.expected.push({ kind: 'apply', step, applied: { type: 'command', index: logIndex(e.first + i), term: entry.term, command: entry.command } }));
        break;
      case 'applySnapshot': this.expected.push({ kind: 'apply', step, applied: { type: 'snapshot', index: e.index, term: e.term, data: e.data } }); break;
      default: break; // timer resets concern timing only
    }
  }

  private observe(kind: string, matches: (e: Expected) => boolean, what: string): void {
    if (this.crashed) this.fail(`${what} after the crash`);
    let afterPersist = false;
    while (this.next < this.expected.length && this.expected[this.next]!.kind === 'persist') {
      const p = this.expected[this.next]!;
      if (p.step > this.durableStep) this.fail(`${what} before step ${p.step}'s persist was durable (durable through step ${this.durableStep})`);
      afterPersist = true;
      this.next++;
    }
    while (this.next < this.expected.length && !matches(this.expected[this.next]!) && this.isSubsumed(this.expected[this.next]!)) this.next++;
    const e = this.expected[this.next];
    if (e === undefined || !matches(e)) this.fail(`${what} (${kind}) where the machine's next effect is ${e === undefined ? 'none' : `step ${e.step}'s ${e.kind}`}`);
    this.next++;
    this.counts.effects++;
    if (afterPersist) this.counts.afterPersist++;
  }

  /** An expected empty AppendEntries that a send expected after it makes redundant. */
  private isSubsumed(e: Expected): boolean {
    if (e.kind !== 'send' || e.message.type !== 'AppendEntries' || e.message.entries.length > 0) return false;
    const empty = e.message;
    return this.expected.some((later, i) => i > this.next && later.kind === 'send' && later.message.type === 'AppendEntries' && subsumes(later.message, empty));
  }

  /** LogDurable through `index` needs a resolved save holding the node's entries through it. */
  private checkLanded(current: PersistentState['log'], index: number): void {
    const d = this.durableLog;
    const at = logIndex(index);
    // Compaction may have dropped the entry's term from either log; where both have it, it must agree.
    const saved = d === null ? undefined : log.termAt(d, at);
    const now = log.termAt(current, at);
    if (d === null || log.lastIndex(d) < at || (saved !== undefined && now !== undefined && saved !== now)) {
      this.fail(`LogDurable through ${index} before a save holding it was durable (durable log through ${d === null ? 'nothing' : log.lastIndex(d)})`);
    }
  }

  private checkSavedState(saved: PersistentState): void {
    const s = this.state;
    if (s === null) this.fail('a save before any step');
    if (saved.currentTerm !== s.currentTerm || saved.votedFor !== s.votedFor || saved.log !== s.log || saved.snapshot !== s.snapshot) {
      this.fail(`saved a state that is not the machine's after step ${this.steps}`);
    }
  }

  private fail(message: string): never {
    this.violation ??= new EffectOrderViolation(`${this.label}: ${message}`);
    throw this.violation;
  }
}

function sameApplied(a: Applied, b: Applied): boolean {
  if (a.type === 'command' && b.type === 'command') return a.index === b.index && a.term === b.term && a.command === b.command;
  if (a.type === 'snapshot' && b.type === 'snapshot') return a.index === b.index && a.term === b.term && a.data === b.data;
  return false;
}
