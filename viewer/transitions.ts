// Which transition of the statechart a step took: a stepper over the shipped machine (or a
// mutant's) that records, for each node step, the event, the role before and after, the guard that
// let it through and the handlers that ran, in order. The viewer highlights that transition in the
// statechart and links the step to the Figure 2 rules those handlers implement.
import {
  deriveStepper, guards, handlers,
  type Guard, type GuardName, type Handler, type HandlerName, type Overrides, type Role, type Stepper,
} from '../src/machine/index.ts';

export interface Taken {
  /** The node's id. */
  readonly node: number;
  readonly event: string;
  readonly from: Role;
  readonly to: Role;
  /** The guard of the transition taken, if it has one. */
  readonly guard: GuardName | null;
  /** What ran, in order: the transition's actions. None when the role ignores the event. */
  readonly handlers: readonly HandlerName[];
}

export interface RecordingStepper {
  readonly step: Stepper;
  /** The transitions taken since the last call, in order. */
  drain(): Taken[];
}

export function recordingStepper(overrides: Overrides = {}): RecordingStepper {
  let ran: HandlerName[] = [];
  let lastGuard: { name: GuardName; held: boolean } | null = null;
  let taken: Taken[] = [];
  const spiedHandlers = Object.fromEntries((Object.keys(handlers) as HandlerName[]).map((name) => {
    const h: Handler = overrides.handlers?.[name] ?? handlers[name];
    return [name, ((s, e) => { ran.push(name); return h(s, e); }) satisfies Handler];
  })) as Record<HandlerName, Handler>;
  const spiedGuards = Object.fromEntries((Object.keys(guards) as GuardName[]).map((name) => {
    const g: Guard = overrides.guards?.[name] ?? guards[name];
    return [name, ((s, e) => { const held = g(s, e); lastGuard = { name, held }; return held; }) satisfies Guard];
  })) as Record<GuardName, Guard>;
  const inner = deriveStepper({ handlers: spiedHandlers, guards: spiedGuards });
  return {
    step: (node, event) => {
      ran = [];
      lastGuard = null;
      const r = inner(node, event);
      // The first transition whose guard holds is taken: if the last guard asked held, it is that one's.
      const guard = (lastGuard as { name: GuardName; held: boolean } | null)?.held === true ? lastGuard!.name : null;
      taken.push({ node: node.state.id, event: event.type, from: node.role, to: r.role, guard, handlers: ran });
      return r;
    },
    drain: () => {
      const out = taken;
      taken = [];
      return out;
    },
  };
}
