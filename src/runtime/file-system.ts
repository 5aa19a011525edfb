// The file-system calls FileStorage makes, as an interface: the process's own by default, and a
// fault-injecting one in tests (short writes, a full disk, EIO at a chosen write or fsync).
import * as fs from 'node:fs/promises';

/** An open file as {@link FileStorage} uses it: positioned writes, the two flushes, truncation. Rejections carry Node's errno codes. */
export interface WritableFile {
  /**
   * Writes up to `length` bytes of `buffer` from `offset` into the file at `position`; may write
   * fewer (a short write). The log writes at explicit positions, into space it preallocated.
   */
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** fsync: the file's data and all its metadata are on stable storage when it resolves; also used on directories. */
  sync(): Promise<void>;
  /** fdatasync: the data, and only the metadata needed to read it back (its size), on stable storage when it resolves. */
  datasync(): Promise<void>;
  /** Cuts the file to `length` bytes (a torn tail after a crash); durable only after a sync. */
  truncate(length: number): Promise<void>;
  /** Releases the handle; flushes nothing to stable storage. */
  close(): Promise<void>;
}

/**
 * The file-system calls {@link FileStorage} makes, with `node:fs/promises` semantics: {@link nodeFileSystem}
 * by default, a fault-injecting one in tests (short writes, a full disk, EIO at a chosen call).
 */
export interface FileSystem {
  /** Opens `path` with fs.open's flags (a directory with 'r', to sync it). */
  open(path: string, flags: string | number): Promise<WritableFile>;
  /** The whole file; rejects with ENOENT if there is none. */
  readFile(path: string): Promise<Uint8Array>;
  /** Atomically replaces `to` with `from` (how a rewritten log appears whole); durable once the directory is synced. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; with `force`, a missing one is no error. */
  rm(path: string, options: { force: boolean }): Promise<void>;
  /** Creates one directory level; rejects with EEXIST if the name exists, ENOENT if the parent does not. */
  mkdir(path: string): Promise<unknown>;
  /** What is at `path`, as far as storage needs to know. */
  stat(path: string): Promise<{
    /** Whether `path` is a directory, not a file (a data directory given as a file is refused). */
    isDirectory(): boolean;
  }>;
}

/** The process's own file system, through `node:fs/promises`. */
export const nodeFileSystem: FileSystem = {
  open: (path, flags) => fs.open(path, flags),
  readFile: async (path) => {
    const read = await fs.readFile(path);
    return new Uint8Array(read.buffer, read.byteOffset, read.length);
  },
  rename: (from, to) => fs.rename(from, to),
  rm: (path, options) => fs.rm(path, options),
  mkdir: (path) => fs.mkdir(path),
  stat: (path) => fs.stat(path),
};
