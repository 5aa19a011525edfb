// The real file system with faults injected at chosen operations: a short write, a disk that fills
// in the middle of a write (the write returns short, every later one fails with ENOSPC until space
// is freed, and fsync still succeeds, as Linux behaves), EIO from a write after part of it landed
// (a torn record), EIO from an fsync or a rename. Everything that is not a fault really happens on
// disk, so a test can reopen the directory with the process's own file system and see what survived.
import { nodeFileSystem, type FileSystem, type WritableFile } from '../../src/runtime/file-system.ts';

export type Operation =
  | { readonly kind: 'write'; readonly seq: number; readonly path: string; readonly length: number }
  | { readonly kind: 'sync' | 'rename'; readonly seq: number; readonly path: string };

/** What goes wrong at one operation. An fsync or a rename fails with EIO, whatever the type. */
export type Fault =
  /** The write takes only its first `bytes` bytes (at least 1, fewer than asked) and says so; the disk is fine. */
  | { readonly type: 'short'; readonly bytes: number }
  /** The disk fills after `bytes` bytes of this write (0 allowed): it returns short, or fails if none fit. */
  | { readonly type: 'full'; readonly bytes: number }
  /** The write fails with EIO after its first `bytes` bytes landed. */
  | { readonly type: 'eio'; readonly bytes: number };

/** Chooses the fault, if any, for each operation, in the order they happen. */
export type FaultPlan = (op: Operation) => Fault | null;

export class FaultyFileSystem implements FileSystem {
  /** Operations seen so far; a dry run counts them to choose where a fault goes. */
  readonly operations: Operation[] = [];
  private full = false;

  constructor(private readonly plan: FaultPlan = () => null, private readonly fs: FileSystem = nodeFileSystem) {}

  /** Space was freed: writes succeed again. */
  free(): void {
    this.full = false;
  }

  open(path: string, flags: string | number): WritableFile {
    const file = this.fs.open(path, flags);
    return {
      write: (buffer, offset, length, position) => this.write(file, path, buffer, offset, length, position),
      sync: () => this.sync(path, () => file.sync()),
      datasync: () => this.sync(path, () => file.datasync()),
      truncate: (length) => file.truncate(length),
      close: () => file.close(),
    };
  }

  readFile(path: string): Uint8Array {
    return this.fs.readFile(path);
  }

  rename(from: string, to: string): void {
    const fault = this.next({ kind: 'rename', seq: this.operations.length, path: to });
    if (fault !== null) throw errno('EIO', 'rename');
    this.fs.rename(from, to);
  }

  rm(path: string, options: { force: boolean }): void {
    this.fs.rm(path, options);
  }

  mkdir(path: string): void {
    this.fs.mkdir(path);
  }

  stat(path: string): { isDirectory(): boolean } {
    return this.fs.stat(path);
  }

  private write(file: WritableFile, path: string, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const fault = this.next({ kind: 'write', seq: this.operations.length, path, length });
    if (this.full) throw errno('ENOSPC', 'write');
    if (fault === null) return file.write(buffer, offset, length, position);
    const landed = Math.min(fault.type === 'short' ? Math.max(1, fault.bytes) : fault.bytes, length - 1);
    const written = landed > 0 ? file.write(buffer, offset, landed, position) : 0;
    if (fault.type === 'short') return written;
    if (fault.type === 'eio') throw errno('EIO', 'write');
    this.full = true;
    if (written === 0) throw errno('ENOSPC', 'write');
    return written;
  }

  private sync(path: string, sync: () => void): void {
    if (this.next({ kind: 'sync', seq: this.operations.length, path }) !== null) throw errno('EIO', 'fsync');
    sync();
  }

  private next(op: Operation): Fault | null {
    this.operations.push(op);
    return this.plan(op);
  }
}

/** An error as Node's fs raises it for a file handle: code and syscall, and no path. */
function errno(code: 'EIO' | 'ENOSPC', syscall: string): NodeJS.ErrnoException {
  const text = code === 'EIO' ? 'i/o error' : 'no space left on device';
  return Object.assign(new Error(`${code}: ${text}, ${syscall}`), { code, syscall });
}
