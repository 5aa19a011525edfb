// The file-system calls FileStorage makes, as an interface: the process's own by default, and a
// fault-injecting one in tests (short writes, a full disk, EIO at a chosen write or fsync).
//
// Synchronous, as etcd's WAL is: an fs/promises call is a round trip through libuv's thread pool (a
// worker wakes for the syscall, then wakes the event loop), two per save. A node answers nothing
// before its write is durable anyway, and datagrams wait in the socket buffer meanwhile, so blocking
// the loop for the fsync costs nothing at one request in flight and batches saves under load.
import * as fs from 'node:fs';

/** An open file as {@link FileStorage} uses it: positioned writes, the two flushes, truncation. Failures throw errors with Node's errno codes. */
export interface WritableFile {
  /**
   * Writes up to `length` bytes of `buffer` from `offset` into the file at `position` and returns how
   * many it wrote; may write fewer (a short write). The log writes at explicit positions, into space it preallocated.
   */
  write(buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** fsync: the file's data and all its metadata are on stable storage when it returns; also used on directories. */
  sync(): void;
  /** fdatasync: the data, and only the metadata needed to read it back (its size), on stable storage when it returns. */
  datasync(): void;
  /** Cuts the file to `length` bytes (a torn tail after a crash); durable only after a sync. */
  truncate(length: number): void;
  /** Releases the handle; flushes nothing to stable storage. */
  close(): void;
}

/**
 * The file-system calls {@link FileStorage} makes, with the semantics of `node:fs`'s synchronous calls:
 * {@link nodeFileSystem} by default, a fault-injecting one in tests (short writes, a full disk, EIO at a chosen call).
 */
export interface FileSystem {
  /** Opens `path` with fs.open's flags (a directory with 'r', to sync it). */
  open(path: string, flags: string | number): WritableFile;
  /** The whole file; throws ENOENT if there is none. */
  readFile(path: string): Uint8Array;
  /** Atomically replaces `to` with `from` (how a rewritten log appears whole); durable once the directory is synced. */
  rename(from: string, to: string): void;
  /** Removes a file; with `force`, a missing one is no error. */
  rm(path: string, options: { force: boolean }): void;
  /** Creates one directory level; throws EEXIST if the name exists, ENOENT if the parent does not. */
  mkdir(path: string): void;
  /** What is at `path`, as far as storage needs to know. */
  stat(path: string): {
    /** Whether `path` is a directory, not a file (a data directory given as a file is refused). */
    isDirectory(): boolean;
  };
}

/** The process's own file system, through `node:fs`'s synchronous calls. */
export const nodeFileSystem: FileSystem = {
  open: (path, flags) => {
    const fd = fs.openSync(path, flags);
    return {
      write: (buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
      sync: () => fs.fsyncSync(fd),
      datasync: () => fs.fdatasyncSync(fd),
      truncate: (length) => fs.ftruncateSync(fd, length),
      close: () => fs.closeSync(fd),
    };
  },
  readFile: (path) => {
    const read = fs.readFileSync(path);
    return new Uint8Array(read.buffer, read.byteOffset, read.length);
  },
  rename: (from, to) => fs.renameSync(from, to),
  rm: (path, options) => fs.rmSync(path, options),
  mkdir: (path) => { fs.mkdirSync(path); },
  stat: (path) => fs.statSync(path),
};
