// Raft nodes on timers, transports and storage.
export { RaftNode, labTimings, type Applied, type RaftNodeOptions, type StartResult, type Timings } from './node.ts';
export type { Transport } from './transport.ts';
export type { Storage, MaybePromise } from './storage.ts';
export { MemoryStorage } from './memory-storage.ts';
export { MemoryNetwork, type LinkRule, type NodeTraffic, type Traffic } from './memory-network.ts';
export { messageSize } from './message-size.ts';
export { realClock, SimulatedClock, type Clock, type Cancel } from './clock.ts';
export { seededRandom, systemRandom, type Random } from './random.ts';
export { UdpTransport, TransportError, MIN_KEY_BYTES, type UdpTransportOptions, type PeerAddress, type TransportCounters, type PeerTraffic, type DropReason } from './udp-transport.ts';
export {
  createWireCodec, DEFAULT_MAX_DATAGRAM, DEFAULT_MAX_COMMAND_BYTES, type WireCodec, type WireConfig, type Datagram, type Decoded, type Refusal, type SnapshotChunk, type EntryChunk,
} from './wire-codec.ts';
export { FileStorage, StorageError, StorageCorruptError, StorageWriteError, WAL_PREALLOCATE_BYTES, type FileStorageOptions } from './file-storage.ts';
export { DirectoryLock, DirectoryInUseError, LOCK_FILE } from './directory-lock.ts';
export { nodeFileSystem, type FileSystem, type WritableFile } from './file-system.ts';
export { stderrLogger, silentLogger, humanLogLine, type Logger, type LogLevel } from './logger.ts';
export { Histogram, prometheusText, serveMetrics, SYNC_SECONDS_BOUNDS, type Metric, type Labels, type MetricsServer } from './metrics.ts';
