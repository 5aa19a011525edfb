// Raft nodes on timers, transports and storage.
export { RaftNode, labTimings, type Applied, type RaftNodeOptions, type StartResult, type Timings } from './node.ts';
export type { Transport } from './transport.ts';
export type { Storage, MaybePromise } from './storage.ts';
export { MemoryStorage } from './memory-storage.ts';
export { realClock, SimulatedClock, type Clock, type Cancel } from './clock.ts';
export { seededRandom, systemRandom, type Random } from './random.ts';
