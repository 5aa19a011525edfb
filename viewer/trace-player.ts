// Replay of a checker counterexample (the raft-ts-trace/1 JSON): every state is in the file
// whole, so stepping backwards is as cheap as forwards. Which statechart transition each step took
// is not in the file: the trace is run once more through the model it names (its bounds, its
// mutant, the action it chose at each step) with a stepper that records them.
import { enabledActions, initialCluster, nextCluster, type Bounds } from '../src/checker/raft/cluster.ts';
import { describeAction } from '../src/checker/raft/model.ts';
import { mutantNamed } from '../src/checker/raft/mutants.ts';
import type { TraceFile } from '../src/checker/trace-format.ts';
import type { Frame } from './frame.ts';
import { recordingStepper, type Taken } from './transitions.ts';

const boundKeys = ['nodes', 'maxTerm', 'proposals', 'maxInFlight', 'drops', 'duplicates', 'crashes', 'snapshots'] as const;

/**
 * taken[k]: the transitions step k took (none for step 0). Stops, leaving the rest empty, where
 * the file and the model part ways (a trace of another version, a file edited by hand).
 */
export function transitionsOf(trace: TraceFile): (readonly Taken[])[] {
  const taken: (readonly Taken[])[] = trace.steps.map(() => []);
  const b = trace.bounds;
  if (!boundKeys.every((k) => typeof b[k] === 'number') || !Array.isArray(trace.choices)) return taken;
  const bounds = Object.fromEntries(boundKeys.map((k) => [k, b[k]])) as unknown as Bounds;
  const mutant = typeof b['mutant'] === 'string' && b['mutant'] !== 'none' ? mutantNamed(b['mutant']) : undefined;
  if (typeof b['mutant'] === 'string' && b['mutant'] !== 'none' && mutant === undefined) return taken;
  const recorder = recordingStepper(mutant?.overrides);
  let state = initialCluster(bounds);
  for (const [k, choice] of trace.choices.entries()) {
    const action = enabledActions(state, bounds)[choice];
    if (action === undefined || describeAction(state, action) !== trace.steps[k + 1]?.action) break;
    const next = nextCluster(state, action, bounds, recorder.step);
    if (next === undefined) break;
    taken[k + 1] = recorder.drain();
    state = next;
  }
  return taken;
}

export class TracePlayer {
  position = 0;
  private readonly taken: (readonly Taken[])[];

  constructor(readonly trace: TraceFile) {
    this.taken = transitionsOf(trace);
  }

  /** The transitions step k took. */
  takenAt(k: number): readonly Taken[] { return this.taken[k] ?? []; }

  /** Reads a trace file's text; throws with a reason a person can act on. */
  static parse(text: string): TracePlayer {
    const data: unknown = JSON.parse(text);
    if (typeof data !== 'object' || data === null || !('format' in data) || data.format !== 'raft-ts-trace/1') {
      throw new Error('not a raft-ts-trace/1 file: write one with npx tsx src/checker/cli.ts --mutant Z2 --json trace.json');
    }
    const trace = data as TraceFile;
    if (!Array.isArray(trace.steps) || trace.steps.length === 0) throw new Error('the trace has no steps');
    return new TracePlayer(trace);
  }

  get last(): number { return this.trace.steps.length - 1; }

  seek(position: number): void { this.position = Math.max(0, Math.min(this.last, position)); }

  frame(): Frame {
    const step = this.trace.steps[this.position]!;
    const atEnd = this.position === this.last;
    return {
      step,
      // A trace has no clock: messages in flight on one link are spread evenly along it.
      progress: step.inFlight.map((m) => {
        const sameLink = step.inFlight.filter((o) => o.from === m.from && o.to === m.to);
        return (sameLink.indexOf(m) + 1) / (sameLink.length + 1);
      }),
      caption: `step ${this.position} of ${this.last}${step.action ? `: ${step.action}` : ' (initial state)'}`,
      violated: atEnd ? this.trace.violated : null,
      taken: this.takenAt(this.position),
    };
  }
}
