// Named configurations: the default one (npm start) and the standard ones whose distinct-state
// counts are golden numbers in spec/golden-counts.md, checked by test/checker/golden.test.ts.
import type { Bounds } from './cluster.ts';

export const defaultBounds: Bounds = {
  nodes: 3, maxTerm: 2, proposals: 1, maxInFlight: 3, drops: 1, duplicates: 1, crashes: 1, snapshots: 1,
};
