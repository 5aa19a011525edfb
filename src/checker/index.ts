// The model checker's public API: a model contract anything can implement, the searches, and the
// Raft cluster model over the shipped machines with its properties, configurations and mutants.
export type { Model, ModelSpec, Property, Fingerprint } from './model.ts';
export { loadModel } from './model.ts';
export type { CheckResult, Path, Violation, Progress, SearchOptions, SearchStats } from './result.ts';
export { bfs } from './bfs.ts';
export { dfs } from './dfs.ts';
export { parallelBfs, type ParallelOptions } from './parallel-bfs.ts';
export { simulate, type SimulationOptions } from './simulate.ts';
export { swarm, type SwarmSpace, type SwarmOptions, type SwarmResult, type WalkPlan, type Recovery } from './swarm.ts';
export { shrink, keyReplayer, type ShrinkOptions, type Shrunk, type KeyReplay } from './shrink.ts';
export { portfolio, portfolioSummary, type PortfolioPlan, type PortfolioResult, type PortfolioViolation } from './portfolio.ts';
export { FingerprintSet, Hasher } from './fingerprint-set.ts';
export type { TraceFile, TraceNode, TraceStep } from './trace-format.ts';
export { raftModel, raftModelFromConfig, raftModelSpec, raftSwarmSpace, describeAction, actionKind, actionKey, actionShape, type RaftModelOptions, type RaftModelConfig } from './raft/model.ts';
export type { Bounds, ClusterAction, ClusterState } from './raft/cluster.ts';
export { raftProperties } from './raft/properties.ts';
export { raftRecovery, heal, liftedBounds, RECOVERS_AFTER_FAULTS, HEALING_STEPS_PER_NODE } from './raft/recovery.ts';
export {
  configurations, configurationNamed, boundsNamed, defaultBounds, portfolioStages, swarmChoices, drawBounds,
  type Configuration, type NamedBounds, type BoundsChoices,
} from './raft/configurations.ts';
export { mutants, mutantNamed, type Mutant } from './raft/mutants.ts';
export { traceFile, traceText, counterexampleText, HEALING_MARKER, replayTrace } from './raft/trace.ts';
