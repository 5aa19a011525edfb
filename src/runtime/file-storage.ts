// Durable Storage on the file system: one append-only write-ahead log per node of checksummed
// records, fsynced once per save, so a whole batch of entries costs one fsync.
//
// File: a header (magic, version, cluster id, node id, checksum), then records. The first record
// is a checkpoint (the whole persistent state, snapshot included); each later record is a batch:
// term, vote, and the log entries from some index on, replacing what the log held from there. A
// new snapshot rewrites the file as a single checkpoint: temp file, fsync, rename, fsync the
// directory, so after a crash either the old file or the new one is there, whole.
//
// Record frame: payload length (u32), payload CRC-32 (u32), CRC-32 of those 8 bytes (u32), payload.
// Recovery reads records in order. A record that is incomplete at the end of the file, whose
// payload fails its checksum while it ends exactly at the end of the file, or whose frame fails its
// checksum with no whole record anywhere after it, is a write the crash interrupted (a power loss
// may keep any of its blocks and lose the others): it was never acknowledged, so it is truncated
// with a warning. Damage anywhere else (a bad record followed by a whole one, a record that does not
// fit the log before it) or a header of another cluster or node stops recovery with an error that
// names the file and the byte offset: acknowledged data is never silently dropped.
//
// Preallocation (as etcd's WAL does): with `preallocateBytes`, the file is grown ahead of the log in
// chunks of zeros, and records are written into that space at their offset. An fdatasync then
// carries only the record's blocks, not also the inode's new size and block map, which a file
// growing with every append makes it commit each time. Zeros are written, not ftruncate'd holes or
// fallocate'd extents, so the blocks are allocated and initialised when a record lands in them.
// Recovery tells the preallocated tail from a torn record: a frame is never all zeros (its last 4
// bytes are the CRC-32 of the first 8, and CRC-32 of 8 zero bytes is not 0), so the log ends where
// only zeros follow, and a record that fails its checksum and is followed only by zeros is the torn
// last one, as when it ended at the end of the file.
//
// A save returns only when every byte of its record was written (a short write is followed by a
// write of the rest) and fsynced; its system calls are synchronous, as etcd's WAL's are
// (file-system.ts says why). A save that fails is fatal: the storage takes no more saves, so
// nothing is ever appended after a partial record, and the only partial record a restart can find
// is the one at the tail, which no save ever acknowledged.
import { constants } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ByteReader, ByteWriter, CorruptStateError, MalformedBytes, crc32, decodePersistentState, encodePersistentState, jsonCommands,
  log, logIndex, nodeId, readEntries, term, writeEntries, type CommandCodec, type Entry, type NodeId, type PersistentState,
} from '../machine/index.ts';
import { DirectoryInUseError, DirectoryLock } from './directory-lock.ts';
import { nodeFileSystem, type FileSystem, type WritableFile } from './file-system.ts';
import { silentLogger, type Logger } from './logger.ts';
import { Histogram, SYNC_SECONDS_BOUNDS } from './metrics.ts';
import type { Storage } from './storage.ts';

export const WAL_FILE = 'raft.wal';
const TEMP_FILE = 'raft.wal.tmp';
const MAGIC = [0x52, 0x46, 0x57, 0x4c] as const; // "RFWL"
const VERSION = 1;
export const HEADER_BYTES = 4 + 1 + 4 + 4 + 4;
const FRAME_BYTES = 12;
const CHECKPOINT = 1;
const BATCH = 2;

/** The data on disk cannot be trusted: which file, where, and why. */
export class StorageCorruptError extends Error {
  override name = 'StorageCorruptError';
  constructor(readonly file: string, readonly offset: number, readonly reason: string) {
    super(`${file} at byte ${offset}: ${reason}`);
  }
}

/** The data directory cannot be used at all (permissions, not a directory, ...). */
export class StorageError extends Error {
  override name = 'StorageError';
}

/**
 * A save failed: a write, an fsync, a rename. It is fatal to the storage, which refuses every later
 * save with this same error: after a short write the file ends in a partial record that a later
 * append would bury, and after a failed fsync the page cache no longer tells what is on disk (the
 * kernel may have dropped the dirty pages and cleared the error), so no retry could be trusted.
 * What was saved before it is durable; a restart recovers it.
 */
export class StorageWriteError extends StorageError {
  override name = 'StorageWriteError';
  constructor(readonly file: string, cause: unknown) {
    super(`cannot make ${file} durable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Where and as whom a {@link FileStorage} keeps its log: the data directory (created if missing) and
 * the cluster and node ids its header records, so a directory of another node is refused.
 */
export interface FileStorageOptions {
  readonly dir: string;
  readonly clusterId: number;
  readonly nodeId: NodeId;
  readonly commands?: CommandCodec;
  readonly logger?: Logger;
  /** The file-system calls, for tests that inject faults; the process's own by default. */
  readonly fs?: FileSystem;
  /** Grow the log file ahead of its records in chunks of this many zero bytes; 0 (the default): grow it with each record. */
  readonly preallocateBytes?: number;
}

/** `raft node`'s preallocation chunk: one extension (a write of zeros) every few tens of thousands of small entries. */
export const WAL_PREALLOCATE_BYTES = 1024 * 1024;
/** Zeros written per call while preallocating. */
const ZEROS = new Uint8Array(64 * 1024);

/**
 * Durable {@link Storage}: one append-only write-ahead log of checksummed records per node, one fdatasync
 * per save, a rewrite (temp file, fsync, rename) per snapshot. Recovery truncates a torn tail with a
 * warning and refuses any other damage with {@link StorageCorruptError}; a failed save is fatal
 * ({@link StorageWriteError}). Create it with {@link FileStorage.open}.
 */
export class FileStorage implements Storage {
  private saved: PersistentState | null;
  /** Where the log's data ends: the next record goes here. */
  private bytes: number;
  /** The file's size: `bytes`, or more when preallocated (the rest zeros). */
  private allocated: number;
  private failure: StorageWriteError | null = null;
  /** Seconds per fdatasync of an appended batch (a rewrite's fsyncs excluded: they are per snapshot). */
  readonly syncSeconds = new Histogram(SYNC_SECONDS_BOUNDS);

  private constructor(
    private readonly dir: string,
    private readonly options: FileStorageOptions,
    private readonly commands: CommandCodec,
    private readonly fs: FileSystem,
    private readonly lock: DirectoryLock,
    private handle: WritableFile | null,
    recovered: { state: PersistentState | null; bytes: number; allocated: number },
  ) {
    this.saved = recovered.state;
    this.bytes = recovered.bytes;
    this.allocated = recovered.allocated;
  }

  /**
   * Opens (creating if needed) the data directory, locks it (DirectoryInUseError if another process
   * holds it, before anything in it is read or written) and recovers what was durable.
   */
  static async open(options: FileStorageOptions): Promise<FileStorage> {
    const { dir } = options;
    const logger = options.logger ?? silentLogger;
    const fs = options.fs ?? nodeFileSystem;
    let lock: DirectoryLock;
    try {
      makeDirectory(fs, dir);
      lock = await DirectoryLock.acquire(dir, logger);
    } catch (err) {
      if (err instanceof DirectoryInUseError) throw err;
      throw new StorageError(`cannot use data directory ${dir}: ${(err as Error).message}`);
    }
    try {
      return FileStorage.recoverLocked(options, fs, lock, logger);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  private static recoverLocked(options: FileStorageOptions, fs: FileSystem, lock: DirectoryLock, logger: Logger): FileStorage {
    const { dir } = options;
    const commands = options.commands ?? jsonCommands;
    try {
      // A temp file is a rewrite the crash interrupted before its rename: the old file still holds everything.
      fs.rm(join(dir, TEMP_FILE), { force: true });
    } catch (err) {
      throw new StorageError(`cannot use data directory ${dir}: ${(err as Error).message}`);
    }
    const file = join(dir, WAL_FILE);
    let bytes: Uint8Array;
    try {
      bytes = fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(`cannot read ${file}: ${(err as Error).message}`);
      // Writable: the lock was just created in it.
      return new FileStorage(dir, options, commands, fs, lock, null, { state: null, bytes: 0, allocated: 0 });
    }
    const recovered = recover(file, bytes, options, commands, logger);
    let handle: WritableFile;
    try {
      handle = fs.open(file, logFlags(options));
    } catch (err) {
      throw new StorageError(`cannot write ${file}: ${(err as Error).message}`);
    }
    // Zeros after the log are preallocated space, kept when preallocating; anything else there is a
    // torn write, cut. Without preallocation the file is cut to the log: appends go at its end.
    const keep = (options.preallocateBytes ?? 0) > 0 && !bytes.subarray(recovered.validBytes).some((b) => b !== 0);
    // What was read may be only in the page cache, written by a process that crashed before its
    // fsync (or its directory's, after a rename). The node acts on it as durable, so it is made so.
    try {
      if (!keep && recovered.validBytes < bytes.length) handle.truncate(recovered.validBytes);
      handle.sync();
      syncDirectory(fs, dir);
    } catch (err) {
      handle.close();
      throw new StorageError(`cannot make the recovered ${file} durable: ${(err as Error).message}`);
    }
    return new FileStorage(dir, options, commands, fs, lock, handle, {
      state: recovered.state, bytes: recovered.validBytes, allocated: keep ? bytes.length : recovered.validBytes,
    });
  }

  load(): PersistentState | null {
    return this.saved;
  }

  /** Returns once every byte of `state` is written and fsynced; a failure is for good (see StorageWriteError). */
  save(state: PersistentState): void {
    if (this.failure !== null) throw this.failure;
    const file = join(this.dir, WAL_FILE);
    try {
      const before = this.saved;
      if (before === null || this.handle === null || before.snapshot !== state.snapshot || before.log.snapshotIndex !== state.log.snapshotIndex) {
        this.rewrite(state);
      } else {
        const record = this.batchRecord(before, state);
        if (record !== null) {
          // No step(): the catch below names this same file.
          this.preallocate(this.handle, this.bytes + record.length);
          writeAll(this.handle, record, this.bytes);
          const started = performance.now();
          this.handle.datasync();
          this.syncSeconds.observe((performance.now() - started) / 1000);
          this.bytes += record.length;
        }
      }
    } catch (err) {
      this.failure = err instanceof StorageWriteError ? err : new StorageWriteError(file, err);
      throw this.failure;
    }
    this.saved = state;
  }

  size(): number {
    return Math.max(0, this.bytes - (this.saved?.snapshot.length ?? 0));
  }

  /**
   * Closes the log and releases the directory, even when the close fails. No save can be in progress:
   * a save returns only when it is done.
   */
  async close(): Promise<void> {
    try {
      this.handle?.close();
    } finally {
      this.handle = null;
      await this.lock.release();
    }
  }

  /** The changes since `before`: term and vote, and the entries from the first index that differs. */
  private batchRecord(before: PersistentState, after: PersistentState): Uint8Array | null {
    const from = firstDifference(before, after);
    const last = log.lastIndex(after.log);
    if (from > last && before.currentTerm === after.currentTerm && before.votedFor === after.votedFor && from === log.lastIndex(before.log) + 1) {
      return null;
    }
    const w = new ByteWriter();
    w.byte(BATCH);
    w.varint(after.currentTerm);
    w.varint(after.votedFor === null ? 0 : after.votedFor + 1);
    w.varint(from);
    const entries = log.entriesFrom(after.log, logIndex(from));
    w.varint(entries.length);
    writeEntries(w, entries, this.commands);
    return frame(w.view());
  }

  /** The whole state as a new file, swapped in atomically. */
  private rewrite(state: PersistentState): void {
    const temp = join(this.dir, TEMP_FILE);
    const file = join(this.dir, WAL_FILE);
    const content = walFile(this.options, state, this.commands);
    const out = step(temp, () => this.fs.open(temp, 'w'));
    try {
      step(temp, () => {
        writeAll(out, content, 0);
        this.allocated = content.length;
        this.preallocate(out, content.length);
        out.sync();
      });
    } finally {
      out.close();
    }
    step(file, () => this.fs.rename(temp, file));
    step(this.dir, () => syncDirectory(this.fs, this.dir));
    const old = this.handle;
    this.handle = null;
    old?.close();
    this.handle = step(file, () => this.fs.open(file, logFlags(this.options)));
    this.bytes = content.length;
  }

  /**
   * Grows `out` with zeros, a chunk at a time, until it holds `end` and a frame's worth more: the
   * zeros after the last record then always read as the end of the log, never as a cut-off frame.
   * A full disk stops it early without failing the save: zeros past the log's end are harmless
   * wherever they stop, and the record then goes into what space there is, or fails for want of it.
   */
  private preallocate(out: WritableFile, end: number): void {
    const chunk = this.options.preallocateBytes ?? 0;
    if (chunk === 0 || end + FRAME_BYTES <= this.allocated) return;
    const target = Math.ceil((end + FRAME_BYTES) / chunk) * chunk;
    // After a preallocation the disk cut short, records may lie past `allocated`: zeros never go below `end`.
    for (let at = Math.max(this.allocated, end); at < target; at += ZEROS.length) {
      try {
        writeAll(out, ZEROS.subarray(0, Math.min(ZEROS.length, target - at)), at);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') return;
        throw err;
      }
    }
    this.allocated = target;
  }
}

/**
 * Preallocated, the log is written at positions inside the file; otherwise only ever at its end,
 * and opened to append as it always was (the position given is then the end, so both agree).
 */
function logFlags(options: FileStorageOptions): number {
  return constants.O_WRONLY | ((options.preallocateBytes ?? 0) > 0 ? 0 : constants.O_APPEND);
}

/** All of `bytes` at `position`, however many writes that takes: a write may write less than it was given. */
function writeAll(out: WritableFile, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) {
    const bytesWritten = out.write(bytes, done, bytes.length - done, position + done);
    // A regular file answers a write it cannot take at all with an error; 0 would loop forever.
    if (bytesWritten <= 0) throw new Error(`a write took ${bytesWritten} of ${bytes.length - done} bytes`);
    done += bytesWritten;
  }
}

/** One step of a save: its failure names the file it concerns. */
function step<T>(file: string, operation: () => T): T {
  try {
    return operation();
  } catch (err) {
    throw new StorageWriteError(file, err);
  }
}

/** A complete log file holding `state` as its one checkpoint. */
export function walFile(ids: { clusterId: number; nodeId: NodeId }, state: PersistentState, commands: CommandCodec = jsonCommands): Uint8Array {
  const w = new ByteWriter();
  w.bytes(header(ids));
  const payload = encodePersistentState(state, commands);
  const body = new Uint8Array(payload.length + 1);
  body[0] = CHECKPOINT;
  body.set(payload, 1);
  w.bytes(frame(body));
  return w.view().slice();
}

function header(ids: { clusterId: number; nodeId: NodeId }): Uint8Array {
  const w = new ByteWriter(HEADER_BYTES);
  w.bytes(Uint8Array.from(MAGIC));
  w.byte(VERSION);
  w.uint32(ids.clusterId);
  w.uint32(ids.nodeId);
  w.uint32(crc32(w.view()));
  return w.view().slice();
}

function frame(payload: Uint8Array): Uint8Array {
  const w = new ByteWriter(payload.length + FRAME_BYTES);
  w.uint32(payload.length);
  w.uint32(crc32(payload));
  w.uint32(crc32(w.view()));
  w.bytes(payload);
  return w.view().slice();
}

/**
 * The first index where the logs differ. Entries at the same index with the same term are the
 * same entry (Log Matching, §5.3), so the scan stops at the first agreeing index from the end.
 */
function firstDifference(before: PersistentState, after: PersistentState): number {
  const floor = after.log.snapshotIndex;
  let k = Math.min(log.lastIndex(before.log), log.lastIndex(after.log));
  // Through log.termAt, not the logs' entries arrays: those are built on first read, a copy of the whole log.
  while (k > floor && log.termAt(before.log, logIndex(k)) !== log.termAt(after.log, logIndex(k))) k--;
  return k + 1;
}

interface Recovered {
  readonly state: PersistentState | null;
  /** Bytes up to the end of the last whole record; what follows is a torn write. */
  readonly validBytes: number;
}

/** Reads a log file back; exported for the crash tests, which feed it every truncation of a file. */
export function recover(
  file: string, bytes: Uint8Array, ids: { clusterId: number; nodeId: NodeId }, commands: CommandCodec, logger: Logger,
): Recovered {
  const fail = (offset: number, reason: string): never => { throw new StorageCorruptError(file, offset, reason); };
  const torn = (offset: number, what: string): Recovered => {
    logger.warn(`${file}: ${what} at byte ${offset}; truncating the ${bytes.length - offset} bytes from there (a write the crash interrupted)`);
    return { state, validBytes: offset };
  };
  let state: PersistentState | null = null;
  // Files appear whole by rename, header and checkpoint together: if they are not whole, the file
  // was damaged after it was written, and guessing would lose acknowledged state.
  if (bytes.length < HEADER_BYTES) fail(0, `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  checkHeader(bytes.subarray(0, HEADER_BYTES), ids, fail);
  let entries: Entry[] = [];
  let offset = HEADER_BYTES;
  const dataEnd = endOfData(bytes);
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    const first = state === null;
    // Nothing but zeros from here, at least a frame's worth: preallocated space, where no record
    // begins (no frame is all zeros). Shorter, it is read as a cut-off frame, as it always was.
    if (!first && offset >= dataEnd && remaining >= FRAME_BYTES) break;
    if (first && remaining < FRAME_BYTES) fail(offset, 'incomplete checkpoint');
    if (remaining < FRAME_BYTES) return torn(offset, 'incomplete record frame');
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_BYTES);
    const length = view.getUint32(0, true);
    const payloadCrc = view.getUint32(4, true);
    if (crc32(bytes.subarray(offset, offset + 8)) !== view.getUint32(8, true)) {
      // A frame cut off by the crash, in preallocated space: its first bytes, then zeros.
      if (!first && dataEnd - offset < FRAME_BYTES) return torn(offset, 'incomplete record frame');
      // The last write's blocks may reach the disk in any order, and a hole reads as zeros: a frame
      // that a power loss left unwritten is followed by no whole record. One that is, is damage.
      if (!first && !wholeRecordFrom(bytes, offset + 1)) return torn(offset, 'record frame checksum mismatch with no whole record after it');
      fail(offset, 'record frame checksum mismatch');
    }
    const end = offset + FRAME_BYTES + length;
    if (first && end > bytes.length) fail(offset, 'incomplete checkpoint');
    if (end > bytes.length) return torn(offset, `record of ${length} bytes runs past the end of the file`);
    const payload = bytes.subarray(offset + FRAME_BYTES, end);
    if (crc32(payload) !== payloadCrc) {
      if (!first && end >= dataEnd) return torn(offset, 'last record fails its checksum');
      fail(offset, 'record checksum mismatch');
    }
    try {
      const next = applyRecord(state, entries, payload, commands);
      state = next.state;
      entries = next.entries;
    } catch (err) {
      if (err instanceof CorruptStateError || err instanceof MalformedBytes) fail(offset + FRAME_BYTES + err.offset + (err instanceof CorruptStateError ? 1 : 0), err instanceof MalformedBytes ? err.reason : err.message);
      if (err instanceof RecordMismatch) fail(offset, err.message);
      throw err;
    }
    offset = end;
  }
  if (state === null) fail(HEADER_BYTES, 'no checkpoint after the header');
  return { state, validBytes: offset };
}

/** Where the bytes end once trailing zeros are set aside: past it lies only preallocated space. */
function endOfData(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return end;
}

/** True if a record with a valid frame and payload starts anywhere at or after `from`. */
function wholeRecordFrom(bytes: Uint8Array, from: number): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  // A frame of zeros fails its checksum, so no record starts in a zeroed tail (a preallocated file's
  // unused end): the checksums are computed only up to the last non-zero byte.
  let last = bytes.length;
  while (last > from && bytes[last - 1] === 0) last--;
  for (let at = from; at < last && at + FRAME_BYTES <= bytes.length; at++) {
    if (crc32(bytes.subarray(at, at + 8)) !== view.getUint32(at + 8, true)) continue;
    const end = at + FRAME_BYTES + view.getUint32(at, true);
    if (end <= bytes.length && crc32(bytes.subarray(at + FRAME_BYTES, end)) === view.getUint32(at + 4, true)) return true;
  }
  return false;
}

function checkHeader(h: Uint8Array, ids: { clusterId: number; nodeId: NodeId }, fail: (offset: number, reason: string) => never): void {
  const view = new DataView(h.buffer, h.byteOffset, h.length);
  if (MAGIC.some((b, i) => h[i] !== b)) fail(0, 'not a Raft log file');
  if (crc32(h.subarray(0, HEADER_BYTES - 4)) !== view.getUint32(HEADER_BYTES - 4, true)) fail(0, 'header checksum mismatch');
  if (h[4] !== VERSION) fail(4, `unknown format version ${h[4]}`);
  const cluster = view.getUint32(5, true);
  if (cluster !== ids.clusterId) fail(5, `belongs to cluster ${cluster}, not ${ids.clusterId}`);
  const node = view.getUint32(9, true);
  if (node !== ids.nodeId) fail(9, `belongs to node ${node}, not ${ids.nodeId}`);
}

class RecordMismatch extends Error {}

/** One record on top of the state so far. `entries` is the log's entry array, extended in place. */
function applyRecord(
  state: PersistentState | null, entries: Entry[], payload: Uint8Array, commands: CommandCodec,
): { state: PersistentState; entries: Entry[] } {
  if (payload[0] === CHECKPOINT) {
    if (state !== null) throw new RecordMismatch('a checkpoint after the first record');
    const s = decodePersistentState(payload.subarray(1), commands);
    return { state: s, entries: [...s.log.entries] };
  }
  if (payload[0] !== BATCH) throw new RecordMismatch(`unknown record type ${payload[0]}`);
  if (state === null) throw new RecordMismatch('a batch before any checkpoint');
  const r = new ByteReader(payload.subarray(1));
  const currentTerm = term(r.varint());
  const voted = r.varint();
  const from = r.varint();
  const base = state.log.snapshotIndex;
  if (from <= base || from > base + entries.length + 1) {
    throw new RecordMismatch(`entries from index ${from} do not follow a log of ${base + entries.length}`);
  }
  entries.length = from - base - 1;
  const count = r.varint();
  readEntries(r, count, commands, entries);
  if (r.remaining !== 0) throw new MalformedBytes('trailing bytes', r.offset);
  return {
    state: {
      currentTerm,
      votedFor: voted === 0 ? null : nodeId(voted - 1),
      log: { snapshotIndex: state.log.snapshotIndex, snapshotTerm: state.log.snapshotTerm, entries },
      snapshot: state.snapshot,
    },
    entries,
  };
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdir spins forever where the kernel answers
 * ENOENT under an existing parent (as /proc does). The parent is synced even when the directory
 * was there: a new name is durable only once its directory is, the process that made it may have
 * crashed before syncing, and a power loss that took the data directory's name would take every
 * save acknowledged in it.
 */
function makeDirectory(fs: FileSystem, dir: string): void {
  try {
    fs.mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!fs.stat(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    } else {
      if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
      makeDirectory(fs, dirname(dir));
      fs.mkdir(dir);
    }
  }
  syncDirectory(fs, dirname(dir));
}

function syncDirectory(fs: FileSystem, dir: string): void {
  const d = fs.open(dir, 'r');
  try {
    d.sync();
  } finally {
    d.close();
  }
}
