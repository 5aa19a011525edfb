// Liveness by healing (RecoversAfterFaults, spec/properties.md): from the state a swarm walk ends
// in, every fault stops and the cluster runs on fairly; within a bounded number of steps every
// node must commit and apply everything the leader holds, a fresh command of the leader's term
// included. Safety properties say nothing about a cluster that stalls for good (a flow-control
// count that never drains, a follower never told of a commit); this does.
import { log, type Stepper } from '../../machine/index.ts';
import type { Path } from '../result.ts';
import type { Recovery } from '../swarm.ts';
import { nextCluster, writeOutstanding, type Bounds, type ClusterAction, type ClusterState } from './cluster.ts';

/** The liveness property the recovery check reports (spec/properties.md). */
export const RECOVERS_AFTER_FAULTS = 'RecoversAfterFaults';

/**
 * Steps the continuation may take per node. A healthy cluster recovers in a few dozen (deliver
 * what is in flight, an election or two, a round of probes per term to back up over, the fresh
 * command's round trips); a stall spends them all.
 */
export const HEALING_STEPS_PER_NODE = 100;

/** The recovery check for swarm walks over Raft, stepping nodes with `step` (the shipped rules or a mutant's). */
export const raftRecovery = (step: Stepper): Recovery<ClusterState, ClusterAction, Bounds> => ({
  property: RECOVERS_AFTER_FAULTS,
  lift: liftedBounds,
  run: (bounds, end, random) => heal(bounds, step, end, random),
});

/**
 * The bounds healing runs in: room for a term a step, any number in flight, and a proposal more
 * than the walk's per node (one per leader healing meets; more than it ever needed in our runs).
 * Finite, so a trace of a safety break found while healing replays in a model of them (from a
 * file too), and the walk itself is a walk of them.
 */
export function liftedBounds(bounds: Bounds): Bounds {
  return { ...bounds, maxTerm: bounds.maxTerm + HEALING_STEPS_PER_NODE * bounds.nodes, maxInFlight: Number.MAX_SAFE_INTEGER, proposals: bounds.proposals + bounds.nodes };
}

/**
 * The healing continuation from `end`. Crashes in the model restart at once, so healing is
 * stopping drops, duplicates and crashes; the walk's term and in-flight bounds are lifted (they
 * would block the elections and heartbeats that recovery needs), and proposals are made past the
 * proposal budget (each a command no one has proposed). Each step is the first that applies of:
 * land a leader's parallel write; deliver a message in flight (drawn from `random`); with nothing
 * in flight and no leader of the highest term, an election timeout at the most up-to-date node
 * that does not lead; propose one fresh command to that leader (once per leader: Raft commits
 * entries of earlier terms only with one of its own, Figure 8); stop if recovered; else the
 * leader's heartbeat.
 */
export function heal(bounds: Bounds, step: Stepper, end: ClusterState, random: () => number): { path: Path<ClusterState, ClusterAction>; recovered: boolean } {
  // The walk's own proposal count numbers the fresh commands (the model's next command, past its
  // budget), so a replay in the lifted bounds, whose budget has room for them, proposes the same.
  const healed = { ...liftedBounds(bounds), proposals: bounds.proposals };
  let state = end;
  const states = [state];
  const actions: ClusterAction[] = [];
  /** The term of the leader that has the fresh command. */
  let proposedIn = 0;
  for (let k = 0; k < HEALING_STEPS_PER_NODE * bounds.nodes; k++) {
    const leader = leaderOfHighestTerm(state);
    const fresh = leader !== undefined && state.nodes[leader]!.state.currentTerm === proposedIn;
    // As the model has it: only a leader writing in parallel has a write to land (else a state
    // unlike its durable one is a lost persist, which healing must not make good).
    const landing = bounds.leaderWritesInParallel === true ? state.nodes.findIndex(writeOutstanding) : -1;
    const action: ClusterAction | undefined = landing >= 0 ? { kind: 'land', node: landing }
      : state.network.length > 0 ? { kind: 'deliver', message: Math.floor(random() * state.network.length), crashAtPersist: false }
      : leader === undefined ? { kind: 'timeout', node: mostUpToDate(state, random), crashAtPersist: false }
      : !fresh ? { kind: 'propose', node: leader }
      : recovered(state, leader) ? undefined
      : { kind: 'heartbeat', node: leader };
    if (action === undefined) return { path: { states, actions }, recovered: true };
    if (action.kind === 'propose') proposedIn = state.nodes[leader!]!.state.currentTerm;
    const next = nextCluster(state, action, healed, step);
    if (next === undefined) throw new Error(`a healing step left bounds that healing lifts: ${action.kind}`);
    state = next;
    states.push(state);
    actions.push(action);
  }
  return { path: { states, actions }, recovered: false };
}

/** The index of the node that leads the highest term any node is in, if one does. */
function leaderOfHighestTerm(s: ClusterState): number | undefined {
  const highest = Math.max(...s.nodes.map((n) => n.state.currentTerm));
  const i = s.nodes.findIndex((n) => n.role === 'leader' && n.state.currentTerm === highest);
  return i < 0 ? undefined : i;
}

/** A node that does not lead, with a log at least as up-to-date as any other such node's (ties drawn): one that can win. */
function mostUpToDate(s: ClusterState, random: () => number): number {
  const logs = s.nodes.map((n) => n.state.log);
  const others = s.nodes.flatMap((n, i) => (n.role === 'leader' ? [] : [i]));
  // ER.1's comparison, as each other node would make it voting for i.
  const ties = others.filter((i) => others.every((j) => log.isAtLeastAsUpToDate(logs[j]!, log.lastTerm(logs[i]!), log.lastIndex(logs[i]!))));
  return ties[Math.floor(random() * ties.length)]!;
}

/** Every node has committed, and its service applied, the whole of the leader's log. */
function recovered(s: ClusterState, leader: number): boolean {
  const last = log.lastIndex(s.nodes[leader]!.state.log);
  return s.nodes.every((n) => n.state.commitIndex === last && n.serviceApplied === last);
}
