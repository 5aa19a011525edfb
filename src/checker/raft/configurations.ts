// Named configurations: the default one (npm run check with no --config) and the standard ones whose state counts are
// golden numbers (spec/golden-counts.md). A change to a golden number changes the explored state
// space, so its commit says why. `suite: 'test'` ones run in npm test; 'full' ones in
// npm run check:full.
import type { Bounds } from './cluster.ts';

/** Bounds with a name, for --config. */
export interface NamedBounds {
  readonly name: string;
  readonly about: string;
  readonly bounds: Bounds;
  readonly symmetry: boolean;
}

export interface Configuration extends NamedBounds {
  readonly suite: 'test' | 'full';
  /** Distinct states, generated successors and the deepest level of a complete BFS. */
  readonly golden: { readonly distinct: number; readonly generated: number; readonly maxDepth: number };
}

const quiet = { drops: 0, duplicates: 0, crashes: 0, snapshots: 0 };

/** npm run check's default (npm start before the portfolio): 3 nodes, two terms, one entry, and one of every fault. */
export const defaultBounds: Bounds = {
  nodes: 3, maxTerm: 2, proposals: 1, maxInFlight: 3, drops: 1, duplicates: 1, crashes: 1, snapshots: 1,
};

/** What npm run check searches when given no --config and no --mutant. */
export const defaultConfiguration: NamedBounds = {
  name: 'default', about: 'npm run check with no --config: 3 nodes, two terms, one entry, 3 in flight, one of every fault, no symmetry',
  symmetry: false, bounds: defaultBounds,
};

/**
 * The named bounds with golden counts (spec/golden-counts.md): `suite: 'test'` ones run in the test
 * suite, 'full' ones only in the full check. A complete BFS of one must give exactly its counts.
 */
export const configurations: readonly Configuration[] = [
  {
    name: 'election-3', about: '3 nodes, two terms, no entries, reliable network', suite: 'test', symmetry: false,
    bounds: { nodes: 3, maxTerm: 2, proposals: 0, maxInFlight: 3, ...quiet },
    golden: { distinct: 934, generated: 2_190, maxDepth: 21 },
  },
  {
    name: 'replication-3', about: '3 nodes, two terms, one entry, reliable network', suite: 'test', symmetry: false,
    bounds: { nodes: 3, maxTerm: 2, proposals: 1, maxInFlight: 3, ...quiet },
    golden: { distinct: 12_361, generated: 30_141, maxDepth: 39 },
  },
  {
    name: 'faults-3', about: '3 nodes, two terms, one entry, one drop, duplicate, crash and snapshot, 2 in flight', suite: 'test', symmetry: false,
    bounds: { nodes: 3, maxTerm: 2, proposals: 1, maxInFlight: 2, drops: 1, duplicates: 1, crashes: 1, snapshots: 1 },
    golden: { distinct: 59_464, generated: 148_842, maxDepth: 33 },
  },
  {
    name: 'election-5', about: '5 nodes, one term, no entries, reliable network, symmetry', suite: 'test', symmetry: true,
    bounds: { nodes: 5, maxTerm: 1, proposals: 0, maxInFlight: 6, ...quiet },
    golden: { distinct: 2_880, generated: 13_478, maxDepth: 50 },
  },
  {
    name: 'parallel-write-3', about: '3 nodes, two terms, one entry, one crash, leaders write in parallel with sending (PW.1), symmetry', suite: 'test', symmetry: true,
    bounds: { nodes: 3, maxTerm: 2, proposals: 1, maxInFlight: 3, ...quiet, crashes: 1, leaderWritesInParallel: true },
    golden: { distinct: 61_144, generated: 182_337, maxDepth: 46 },
  },
  {
    name: 'as-shipped-3', about: '3 nodes, two terms, one entry, one crash, leaders as RaftNode runs them: parallel write, commits announced, flow control (PW.1, CP.1, FC.1, FC.2), symmetry', suite: 'test', symmetry: true,
    bounds: { nodes: 3, maxTerm: 2, proposals: 1, maxInFlight: 3, ...quiet, crashes: 1, leaderWritesInParallel: true, flowControl: true },
    golden: { distinct: 109_617, generated: 326_329, maxDepth: 43 },
  },
  {
    name: 'default-symmetry', about: 'the default bounds with symmetry: npm start\'s stage 1', suite: 'full', symmetry: true,
    bounds: defaultBounds,
    golden: { distinct: 2_185_321, generated: 8_764_068, maxDepth: 48 },
  },
  {
    name: 'three-terms', about: 'npm start, stage 3: 3 nodes, three terms, two entries, 4 in flight, reliable network, symmetry', suite: 'full', symmetry: true,
    bounds: { nodes: 3, maxTerm: 3, proposals: 2, maxInFlight: 4, ...quiet },
    golden: { distinct: 5_377_433, generated: 18_645_236, maxDepth: 67 },
  },
  {
    name: 'replication-5', about: '5 nodes, one term, one entry, reliable network, symmetry', suite: 'full', symmetry: true,
    bounds: { nodes: 5, maxTerm: 1, proposals: 1, maxInFlight: 6, ...quiet },
    golden: { distinct: 54_433, generated: 256_967, maxDepth: 69 },
  },
];

/** The configuration named `name` (`--config`), or undefined; portfolio-only stages are found by boundsNamed. */
export const configurationNamed = (name: string): Configuration | undefined => configurations.find((c) => c.name === name);

/**
 * npm start, the portfolio's exhaustive stages, in order (portfolio.ts): each proves every
 * property within its bounds, and each reaches situations the others cannot. Cheapest first, so
 * a shallow bug is reported within seconds; the second runs the leaders as RaftNode does (its
 * options on), early, so that even a loaded machine checks them. The first three finish within
 * the budget on 2 cores
 * (spec/golden-counts.md); the last does not, and is reported "up to depth D only".
 */
export const portfolioStages: readonly NamedBounds[] = [
  configurationNamed('default-symmetry')!,
  {
    name: 'as-shipped', about: 'npm start, stage 2: leaders as RaftNode runs them (PW.1, CP.1, FC.1, FC.2): 3 nodes, two terms, two entries, 3 in flight, one crash, symmetry', symmetry: true,
    bounds: { nodes: 3, maxTerm: 2, proposals: 2, maxInFlight: 3, ...quiet, crashes: 1, leaderWritesInParallel: true, flowControl: true },
  },
  configurationNamed('three-terms')!,
  {
    name: 'two-entries-faults', about: 'npm start, last stage: 3 nodes, two terms, two entries, 3 in flight, one drop, duplicate, crash and snapshot, symmetry', symmetry: true,
    bounds: { nodes: 3, maxTerm: 2, proposals: 2, maxInFlight: 3, drops: 1, duplicates: 1, crashes: 1, snapshots: 1 },
  },
];

/** Every named configuration, each once: the default, those with golden counts, then the portfolio's other stages. */
export const namedBounds: readonly NamedBounds[] = [
  defaultConfiguration, ...configurations, ...portfolioStages.filter((s) => !configurations.includes(s as Configuration)),
];

/** The bounds of a configuration or portfolio stage by its name (`--config NAME`), or undefined. */
export const boundsNamed = (name: string): NamedBounds | undefined => namedBounds.find((c) => c.name === name);

/**
 * For each bound, the values a swarm walk draws from (uniformly), wider than any exhaustive search
 * reaches; the leader's options are bounds too, so walks run the leaders as RaftNode runs them
 * (both on), as an embedder who sets neither does (both off), and the two halves.
 */
export type BoundsChoices = { readonly [K in keyof Bounds]-?: readonly NonNullable<Bounds[K]>[] };

/** npm start, phase 2: what swarm walks draw their bounds from. */
export const swarmChoices: BoundsChoices = {
  nodes: [3, 5], maxTerm: [2, 3, 4, 5, 6], proposals: [1, 2, 3, 4], maxInFlight: [3, 4, 5, 6, 7, 8],
  drops: [0, 1, 2, 3], duplicates: [0, 1, 2, 3], crashes: [0, 1, 2, 3], snapshots: [0, 1, 2],
  leaderWritesInParallel: [false, true], flowControl: [false, true],
};

/** One draw per bound, always, so pinning one bound to a single value leaves the others' draws alone. */
export function drawBounds(choices: BoundsChoices, random: () => number): Bounds {
  const pick = <K extends keyof BoundsChoices>(k: K): BoundsChoices[K][number] => { const c = choices[k]; return c[Math.floor(random() * c.length)]!; };
  return {
    nodes: pick('nodes'), maxTerm: pick('maxTerm'), proposals: pick('proposals'), maxInFlight: pick('maxInFlight'),
    drops: pick('drops'), duplicates: pick('duplicates'), crashes: pick('crashes'), snapshots: pick('snapshots'),
    leaderWritesInParallel: pick('leaderWritesInParallel'), flowControl: pick('flowControl'),
  };
}
