// The file-system calls FileStorage makes, as an interface: the process's own by default, and a
// fault-injecting one in tests (short writes, a full disk, EIO at a chosen write or fsync).
import * as fs from 'node:fs/promises';

export interface WritableFile {
  /**
   * Writes up to `length` bytes of `buffer` from `offset` into the file at `position`; may write
   * fewer (a short write). The log writes at explicit positions, into space it preallocated.
   */
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface FileSystem {
  open(path: string, flags: string | number): Promise<WritableFile>;
  readFile(path: string): Promise<Uint8Array>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  mkdir(path: string): Promise<unknown>;
  stat(path: string): Promise<{ isDirectory(): boolean }>;
}

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
