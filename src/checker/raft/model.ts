// Raft plugged into the checker's Model contract: the shipped machines (or a mutant of them),
// under bounds, optionally with symmetry reduction over node ids.
import { match } from 'ts-pattern';
import { deriveStepper, type Message, type Overrides } from '../../machine/index.ts';
import type { Model, ModelSpec } from '../model.ts';
import type { SwarmSpace } from '../swarm.ts';
import { enabledActions, initialCluster, nextCluster, type Bounds, type ClusterAction, type ClusterState } from './cluster.ts';
import { drawBounds, type BoundsChoices } from './configurations.ts';
import { renaming, smallestFingerprint } from './fingerprint.ts';
import { mutantNamed } from './mutants.ts';
import { packable, PackedCluster } from './packed.ts';
import { raftProperties } from './properties.ts';
import { raftRecovery } from './recovery.ts';

/** What {@link raftModel} checks: the cluster's bounds, optionally a mutant's rules, symmetry reduction, properties left out. */
export interface RaftModelOptions {
  readonly bounds: Bounds;
  /** Replacement handlers or guards: a mutant of the shipped rules. */
  readonly overrides?: Overrides;
  /** Count states equal up to renaming node ids as one. */
  readonly symmetry?: boolean;
  /**
   * Properties left out of the check: how a claim that a property is the only one to catch a
   * mutant is shown (the rest find nothing).
   */
  readonly without?: readonly string[];
}

/**
 * The Raft cluster as a {@link Model}: nodes stepped by the shipped machine (or a mutant's), a
 * network of messages that are delivered, dropped or duplicated, crashes with restart from durable
 * state, all within `bounds`; checked against {@link raftProperties}.
 */
export function raftModel({ bounds, overrides = {}, symmetry = false, without = [] }: RaftModelOptions): Model<ClusterState, ClusterAction> {
  const step = deriveStepper(overrides);
  const identity = Array.from({ length: bounds.nodes }, (_, i) => i + 1);
  const renamings = (symmetry ? permutations(bounds.nodes) : [identity]).map(renaming);
  const model: Model<ClusterState, ClusterAction> = {
    initialStates: () => [initialCluster(bounds)],
    actions: (s) => enabledActions(s, bounds),
    next: (s, a) => nextCluster(s, a, bounds, step),
    fingerprint: (s) => smallestFingerprint(s, renamings),
    properties: raftProperties.filter((p) => !without.includes(p.name)),
    describeAction: (s, a) => describeAction(s, a),
    actionKind,
    actionKey,
    actionShape,
    withoutFault: (a) => ('crashAtPersist' in a && a.crashAtPersist ? { ...a, crashAtPersist: false } : undefined),
  };
  return packable(bounds) ? { ...model, packed: () => new PackedCluster(bounds, step, renamings, model.initialStates()) } : model;
}

/**
 * The kinds swarm testing weights. Each node's timeouts are a kind of their own, so a walk can
 * have a node that is always first to campaign and one that never does (the term bound is
 * scarce: every election a bystander starts spends a term). The crashing variants of a delivery
 * or a timeout are kinds of their own too.
 */
export function actionKind(a: ClusterAction): string {
  if (a.kind === 'timeout') return a.crashAtPersist ? 'timeout-crashing' : `timeout ${a.node + 1}`;
  return a.kind === 'deliver' && a.crashAtPersist ? 'deliver-crashing' : a.kind;
}

/** A message action is named by the message's whole content (slots move); a node action by its node. */
export function actionKey(s: ClusterState, a: ClusterAction): string {
  return 'message' in a ? `${actionKind(a)} ${messageText(s.network[a.message]!)}` : `${actionKind(a)} ${a.node}`;
}

/** A message action by sender, addressee and type only: the same part in a trace whose terms or entries were renumbered. */
export function actionShape(s: ClusterState, a: ClusterAction): string {
  if (!('message' in a)) return actionKey(s, a);
  const m = s.network[a.message]!;
  return `${actionKind(a)} ${m.type} ${m.from}→${m.to}`;
}

// Messages are immutable and shared by every state they are in flight in, so each is written out once.
const messageTexts = new WeakMap<Message, string>();
function messageText(m: Message): string {
  let text = messageTexts.get(m);
  if (text === undefined) messageTexts.set(m, text = JSON.stringify(m, (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v)));
  return text;
}

/**
 * Swarm walks over Raft: each walk draws its bounds from `choices` and runs the shipped rules (or
 * a mutant's), and ends with the recovery check (recovery.ts). Without deliveries or timeouts
 * nothing happens, so no walk leaves those out.
 */
export function raftSwarmSpace(choices: BoundsChoices, overrides?: Overrides): SwarmSpace<ClusterState, ClusterAction, Bounds> {
  return {
    draw: (random) => drawBounds(choices, random), model: (bounds) => raftModel({ bounds, overrides }),
    essential: (kind) => kind === 'deliver' || kind.startsWith('timeout '), recovery: raftRecovery(deriveStepper(overrides)),
  };
}

/** Raft swarm walks described by plain data, so a worker thread can run the same ones. */
export interface RaftSwarmConfig {
  readonly choices: BoundsChoices;
  /** A bug-zoo mutant's name or id, instead of the shipped rules. */
  readonly mutant?: string;
}

export function raftSwarmSpaceFromConfig({ choices, mutant }: RaftSwarmConfig): SwarmSpace<ClusterState, ClusterAction, Bounds> {
  const overrides = mutant === undefined ? undefined : mutantNamed(mutant)?.overrides;
  if (mutant !== undefined && overrides === undefined) throw new Error(`unknown mutant "${mutant}"`);
  return raftSwarmSpace(choices, overrides);
}

export const raftSwarmSpec = (config: RaftSwarmConfig): ModelSpec => ({ module: import.meta.url, factory: raftSwarmSpaceFromConfig.name, options: config });

/** A Raft model described by plain data, so a worker thread can build the same one. */
export interface RaftModelConfig {
  readonly bounds: Bounds;
  /** A bug-zoo mutant's name or id, instead of the shipped rules. */
  readonly mutant?: string;
  readonly symmetry?: boolean;
  /** Properties left out of the check (RaftModelOptions.without). */
  readonly without?: readonly string[];
}

/** {@link raftModel} from plain data (a mutant by name or id): the factory {@link raftModelSpec} names for worker threads. Throws for an unknown mutant. */
export function raftModelFromConfig({ bounds, mutant, symmetry, without }: RaftModelConfig): Model<ClusterState, ClusterAction> {
  const overrides = mutant === undefined ? undefined : mutantNamed(mutant)?.overrides;
  if (mutant !== undefined && overrides === undefined) throw new Error(`unknown mutant "${mutant}"`);
  return raftModel({ bounds, overrides, symmetry, without });
}

/** The {@link ModelSpec} of a Raft model, for {@link parallelBfs} and the portfolio's stages. */
export const raftModelSpec = (config: RaftModelConfig): ModelSpec => ({ module: import.meta.url, factory: raftModelFromConfig.name, options: config });

/** One line for a person: "node 2 receives RequestVote from 1 (term 2)". Node numbers are ids, from 1. */
export function describeAction(s: ClusterState, a: ClusterAction): string {
  const crash = (c: boolean) => (c ? ', crashing at its persist' : '');
  return match(a)
    .with({ kind: 'deliver' }, ({ message, crashAtPersist }) => {
      const m = s.network[message]!;
      return `node ${m.to} receives ${m.type} from ${m.from} (term ${m.term})${crash(crashAtPersist)}`;
    })
    .with({ kind: 'drop' }, ({ message }) => { const m = s.network[message]!; return `network drops ${m.type} ${m.from}→${m.to}`; })
    .with({ kind: 'duplicate' }, ({ message }) => { const m = s.network[message]!; return `network duplicates ${m.type} ${m.from}→${m.to}`; })
    .with({ kind: 'timeout' }, ({ node, crashAtPersist }) => `node ${node + 1} election timeout${crash(crashAtPersist)}`)
    .with({ kind: 'heartbeat' }, ({ node }) => `node ${node + 1} heartbeat`)
    .with({ kind: 'propose' }, ({ node }) => `client proposes to node ${node + 1}`)
    .with({ kind: 'snapshot' }, ({ node }) => `node ${node + 1} service takes a snapshot`)
    .with({ kind: 'crash' }, ({ node }) => `node ${node + 1} crashes and restarts`)
    .with({ kind: 'land' }, ({ node }) => `node ${node + 1}'s own write of its log lands`)
    .exhaustive();
}

function permutations(n: number): number[][] {
  if (n === 1) return [[1]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, at), n, ...p.slice(at)]));
}
