// The fast stepper: the statechart's transition table, read from the XState machine definition
// once, then stepped with plain function calls. It resolves the same named handlers and guards
// the machine uses, so it is the statechart, minus the interpreter. test/stepper.test.ts proves
// it equal to xstate.transition() on random event sequences.
import { transition } from 'xstate';
import { guards, handlers, type Guard, type GuardName, type Handler, type HandlerName } from './handlers.ts';
import { raftMachine, type RaftMachine } from './machine.ts';
import { initialState } from './state.ts';
import type { Effect, EventType, NodeConfig, RaftEvent, RaftState, Role } from './types.ts';

/** A node as the statechart sees it: its role (the active state) and its context. */
export interface NodeSnapshot {
  readonly role: Role;
  readonly state: RaftState;
}

export interface StepResult extends NodeSnapshot {
  readonly effects: readonly Effect[];
}

/**
 * One step of a node: the next role, state and effects for an event, pure and synchronous. Hosts and
 * the model checker drive nodes through it; the effects must be carried out in order.
 */
export type Stepper = (node: NodeSnapshot, event: RaftEvent) => StepResult;

interface CompiledTransition {
  readonly guard: Guard | undefined;
  readonly target: Role | undefined;
  readonly actions: readonly Handler[];
}

type Table = Record<Role, Partial<Record<EventType, readonly CompiledTransition[]>>>;

const noEffects: readonly Effect[] = Object.freeze([]);

/** A node that has never run, as a follower with {@link initialState}: where a fresh node starts stepping. */
export const initialNode = (config: NodeConfig): NodeSnapshot => ({ role: 'follower', state: initialState(config) });

/**
 * Replacement handlers or guards by name: how the model checker's mutants (the bug zoo) change
 * one rule while the statechart's routing stays as shipped.
 */
export interface Overrides {
  readonly handlers?: Partial<Record<HandlerName, Handler>>;
  readonly guards?: Partial<Record<GuardName, Guard>>;
}

/** Builds the stepper for a machine shaped like ours. Throws if it uses a feature it cannot mirror. */
export function deriveStepper(overrides: Overrides = {}, machine: RaftMachine = raftMachine): Stepper {
  const table = compile(machine, { ...handlers, ...overrides.handlers }, { ...guards, ...overrides.guards });
  return (node, event) => {
    const candidates = table[node.role][event.type];
    if (candidates === undefined) return { ...node, effects: noEffects };
    for (const t of candidates) {
      if (t.guard !== undefined && !t.guard(node.state, event)) continue;
      const role = t.target ?? node.role;
      if (t.actions.length === 1) {
        const { state, effects } = t.actions[0]!(node.state, event);
        return { role, state, effects };
      }
      let state = node.state;
      const effects: Effect[] = [];
      for (const action of t.actions) {
        const step = action(state, event);
        state = step.state;
        for (const e of step.effects) effects.push(e);
      }
      return { role, state, effects };
    }
    return { ...node, effects: noEffects };
  };
}

// XState picks the first enabled transition of the active state, then of its ancestors, in
// document order; with no entry, exit or eventless transitions, that is the whole semantics.
function compile(machine: RaftMachine, handlers: Record<string, Handler>, guards: Record<string, Guard>): Table {
  const root = machine.root;
  refuseUnmirrored(root, 'the root');
  const table = {} as Table;
  for (const [role, node] of Object.entries(root.states) as [Role, typeof root][]) {
    refuseUnmirrored(node, `state ${role}`);
    const byEvent: Partial<Record<EventType, CompiledTransition[]>> = {};
    const eventTypes = new Set([...node.transitions.keys(), ...root.transitions.keys()]);
    for (const type of eventTypes as Set<EventType>) {
      byEvent[type] = [...(node.transitions.get(type) ?? []), ...(root.transitions.get(type) ?? [])].map((t) => ({
        guard: t.guard === undefined ? undefined : lookup(guards, nameOf(t.guard), 'guard'),
        target: t.target === undefined ? undefined : (t.target[0]!.key as Role),
        actions: t.actions.map((a) => lookup(handlers, nameOf(a), 'action')),
      }));
    }
    table[role] = byEvent;
  }
  return table;
}

function refuseUnmirrored(node: RaftMachine['root'], where: string): void {
  const extras = [
    node.entry.length > 0 && 'entry actions',
    node.exit.length > 0 && 'exit actions',
    node.always !== undefined && node.always.length > 0 && 'eventless transitions',
    node.after.length > 0 && 'delayed transitions',
    node.invoke.length > 0 && 'invocations',
  ].filter(Boolean);
  if (extras.length > 0) throw new Error(`stepper cannot mirror ${extras.join(', ')} on ${where}`);
}

function nameOf(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'object' && ref !== null && 'type' in ref && typeof ref.type === 'string' && !('params' in ref && ref.params !== undefined)) return ref.type;
  throw new Error(`stepper needs named guards and actions without params, got ${String(ref)}`);
}

function lookup<T>(registry: Record<string, T>, name: string, kind: string): T {
  const found = registry[name];
  if (found === undefined) throw new Error(`statechart names unknown ${kind} "${name}"`);
  return found;
}

/**
 * The same contract through XState's own interpreter (`xstate.transition`): slow, and the
 * reference the fast stepper is tested against.
 */
export function xstateStepper(machine: RaftMachine = raftMachine): Stepper {
  return (node, event) => {
    const snapshot = machine.resolveState({ value: node.role, context: node.state });
    const [next, actions] = transition(machine, snapshot, event);
    return { role: next.value as Role, state: next.context, effects: emittedEffects(actions) };
  };
}

/** The effects in an XState action list: our handlers emit each one as an event. */
export const emittedEffects = (actions: readonly { type: string; params?: unknown }[]): Effect[] =>
  actions.filter((a) => a.type === 'xstate.emit').map((a) => (a.params as { event: Effect }).event);
