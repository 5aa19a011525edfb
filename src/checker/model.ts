// What the checker knows about a system: nothing but this contract (after Stateright's Model).
// A model gives initial states, the actions enabled in a state, the state an action leads to,
// a canonical fingerprint, and the properties to check.
import type { PackedModel } from './packed.ts';

/**
 * A system as the checker sees it (after Stateright's Model): states `S`, actions `A`, and the
 * properties to check. Every method must be pure and deterministic: the searches rely on
 * re-running them giving the same answer, and worker threads build their own copy.
 */
export interface Model<S, A> {
  /** The states every behaviour starts from: depth 0 of a search. */
  initialStates(): S[];
  /** Every action enabled in `state`, in a deterministic order. */
  actions(state: S): A[];
  /** The state `action` leads to, or undefined if it leads outside the model's bounds. */
  next(state: S, action: A): S | undefined;
  /** Equal for states that must count as one (after any symmetry reduction); 64 bits as two lanes. */
  fingerprint(state: S): Fingerprint;
  readonly properties: readonly Property<S>[];
  /** One line for a person reading a trace: what `action` does in `state`. */
  describeAction(state: S, action: A): string;
  /**
   * Optional: a packing of the states into a few words, with successors generated on it (what
   * the breadth-first searches run on; packed.ts packs any other model generically). A new one
   * per call: a packing holds tables, and each thread has its own.
   */
  packed?(): PackedModel<S>;
  /**
   * What sort of action this is ("deliver", "drop", "crash"…): swarm testing (swarm.ts) gives each
   * walk its own weight per kind. Without it every action is one kind.
   */
  actionKind?(action: A): string;
  /**
   * Names `action` by what it does, not by where it sits in `state` (an action may name a message
   * by its slot in the network, and slots move when an earlier step is removed). Two actions of
   * one state with the same key must lead to equal states. The shrinker (shrink.ts) finds a
   * step again in another state by its key; without it a trace is not shrunk.
   */
  actionKey?(state: S, action: A): string;
  /**
   * A coarser name than actionKey (a delivery by sender, addressee and message type, not by its
   * term or content): when a removed step renumbers what follows (a term fewer, an entry fewer),
   * the shrinker still finds the step that plays the same part.
   */
  actionShape?(state: S, action: A): string;
  /** The same action without its fault (a delivery without the crash it carries), if it has one: the shrinker tries it. */
  withoutFault?(action: A): A | undefined;
}

/** A 64-bit state fingerprint as two signed 32-bit lanes; states with equal fingerprints are searched once. */
export interface Fingerprint { readonly hi: number; readonly lo: number }

/**
 * `always`: must hold in every reachable state (a safety invariant); a state where it fails is
 * a counterexample. `sometimes`: must hold in at least one reachable state; if none is found, the
 * bounds did not reach the behaviour, and a passing `always` proves little.
 */
export interface Property<S> {
  readonly name: string;
  readonly expectation: 'always' | 'sometimes';
  /** Whether the property holds in `state`; pure, and it may read only `state`. */
  readonly holds: (state: S) => boolean;
}

/**
 * How a worker thread builds the same model: the module that exports a factory, the factory's
 * name, and its options as plain data (functions cannot cross to a worker).
 */
export interface ModelSpec {
  readonly module: string;
  readonly factory: string;
  readonly options: unknown;
}

/** Imports `spec.module` and calls its factory with `spec.options`: how {@link parallelBfs} and worker threads rebuild a model. */
export async function loadModel<S, A>(spec: ModelSpec): Promise<Model<S, A>> {
  return modelFrom((await import(spec.module)) as Record<string, unknown>, spec);
}

/** The model `spec` names, from its module's exports (already loaded, as a worker's bundle has them). */
export function modelFrom<S, A>(exports: Record<string, unknown>, spec: ModelSpec): Model<S, A> {
  const factory = exports[spec.factory];
  if (typeof factory !== 'function') throw new Error(`${spec.module} exports no model factory named ${spec.factory}`);
  return (factory as (options: unknown) => Model<S, A>)(spec.options);
}
