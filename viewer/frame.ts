// What the viewer draws at one moment, in live mode and in trace replay alike: a step of the
// checker's trace format, plus where each message in flight is on its way (0 = just sent,
// 1 = arriving) and, at a trace's end, the property it violates.
import type { TraceStep } from '../src/checker/trace-format.ts';
import type { Taken } from './transitions.ts';

export interface Frame {
  readonly step: TraceStep;
  /** progress[k] is how far step.inFlight[k] has travelled. */
  readonly progress: readonly number[];
  /** Live mode only: per node, the part of its election timeout still to run, or null (leader, down). */
  readonly electionTimers?: readonly (number | null)[];
  /** Shown as the caption: what just happened, or the time in live mode. */
  readonly caption: string;
  readonly violated: string | null;
  /** The statechart transitions the step into this state took (none for the initial state). */
  readonly taken: readonly Taken[];
}
