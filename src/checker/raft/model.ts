// Raft plugged into the checker's Model contract: the shipped machines (or a mutant of them),
// under bounds, optionally with symmetry reduction over node ids.
import { match } from 'ts-pattern';
import { deriveStepper, type Overrides } from '../../machine/index.ts';
import type { Model, ModelSpec } from '../model.ts';
import { enabledActions, initialCluster, nextCluster, type Bounds, type ClusterAction, type ClusterState } from './cluster.ts';
import { renaming, smallestFingerprint } from './fingerprint.ts';
import { mutantNamed } from './mutants.ts';
import { packable, PackedCluster } from './packed.ts';
import { raftProperties } from './properties.ts';

export interface RaftModelOptions {
  readonly bounds: Bounds;
  /** Replacement handlers or guards: a mutant of the shipped rules. */
  readonly overrides?: Overrides;
  /** Count states equal up to renaming node ids as one. */
  readonly symmetry?: boolean;
}

export function raftModel({ bounds, overrides = {}, symmetry = false }: RaftModelOptions): Model<ClusterState, ClusterAction> {
  const step = deriveStepper(overrides);
  const identity = Array.from({ length: bounds.nodes }, (_, i) => i + 1);
  const renamings = (symmetry ? permutations(bounds.nodes) : [identity]).map(renaming);
  const model: Model<ClusterState, ClusterAction> = {
    initialStates: () => [initialCluster(bounds)],
    actions: (s) => enabledActions(s, bounds),
    next: (s, a) => nextCluster(s, a, bounds, step),
    fingerprint: (s) => smallestFingerprint(s, renamings),
    properties: raftProperties,
    describeAction: (s, a) => describeAction(s, a),
  };
  return packable(bounds) ? { ...model, packed: () => new PackedCluster(bounds, step, renamings, model.initialStates()) } : model;
}

/** A Raft model described by plain data, so a worker thread can build the same one. */
export interface RaftModelConfig {
  readonly bounds: Bounds;
  /** A bug-zoo mutant's name or id, instead of the shipped rules. */
  readonly mutant?: string;
  readonly symmetry?: boolean;
}

export function raftModelFromConfig({ bounds, mutant, symmetry }: RaftModelConfig): Model<ClusterState, ClusterAction> {
  const overrides = mutant === undefined ? undefined : mutantNamed(mutant)?.overrides;
  if (mutant !== undefined && overrides === undefined) throw new Error(`unknown mutant "${mutant}"`);
  return raftModel({ bounds, overrides, symmetry });
}

export const raftModelSpec = (config: RaftModelConfig): ModelSpec => ({ module: import.meta.url, factory: raftModelFromConfig.name, options: config });

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
    .exhaustive();
}

function permutations(n: number): number[][] {
  if (n === 1) return [[1]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, at), n, ...p.slice(at)]));
}
