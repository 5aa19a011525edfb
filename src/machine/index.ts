// The pure Raft core: no I/O, no clock, no randomness, no Node.js built-ins.
export * from './types.ts';
export { raftMachine, type RaftMachine } from './machine.ts';
export { deriveStepper, xstateStepper, emittedEffects, initialNode, type NodeSnapshot, type StepResult, type Stepper, type Overrides } from './stepper.ts';
export { initialState, restoredState, persistentStateOf } from './state.ts';
/**
 * Reading and changing a {@link RaftLog}: indices past a §7 compaction offset, the up-to-date
 * comparison of §5.4.1, and the merge and backtracking helpers the rules use. All pure.
 */
export * as log from './log.ts';
export { handlers, guards, isMessage, type Handler, type Guard, type HandlerName, type GuardName } from './handlers.ts';
export { ByteReader, ByteWriter, MalformedBytes } from './bytes.ts';
export { encodePersistentState, decodePersistentState, readEntries, writeEntries, jsonCommands, crc32, CorruptStateError, type CommandCodec } from './persistence.ts';
// Building blocks the model checker's mutants reuse to write faulty variants of a rule.
/** Majority counting for votes and commits: a majority is strictly more than half of all members. */
export * as quorum from './quorum.ts';
export { applyCommitted } from './rules/apply.ts';
