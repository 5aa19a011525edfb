// Replay of a checker counterexample (the raft-ts-trace/1 JSON): every state is in the file
// whole, so stepping backwards is as cheap as forwards.
import type { TraceFile } from '../src/checker/trace-format.ts';
import type { Frame } from './frame.ts';

export class TracePlayer {
  position = 0;

  constructor(readonly trace: TraceFile) {}

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
    };
  }
}
