// A file system in memory that records every operation the storage makes, and rebuilds from any
// prefix of that record the states a power loss may leave on disk (the method of ALICE, OSDI '14,
// and of etcd's failpoint tests). The model is the one POSIX promises and no more:
// - A file's data is durable once an fsync or fdatasync of that file follows it. Writes since then
//   may each be lost, whole or in part, at block granularity (a block is written whole or not at
//   all), and a block past the durable end of the file may come back as zeros (the size reached the
//   disk before the data did).
// - A name (create, rename, unlink, mkdir) is durable once an fsync of its directory follows it.
//   Names not yet synced are undone from the newest back: metadata reaches the journal in order,
//   so a later name change never survives an earlier one of the same directory.
// - An fsync of a file says nothing of its name; an fsync of a directory nothing of file data.
// Truncations are data operations, lost or kept like writes.
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import type { FileSystem, WritableFile } from '../../src/runtime/file-system.ts';
import type { Random } from '../../src/runtime/random.ts';

export type FsOperation =
  | { readonly kind: 'create' | 'mkdir' | 'unlink'; readonly dir: string; readonly path: string; readonly inode: number }
  | { readonly kind: 'rename'; readonly dir: string; readonly from: string; readonly to: string; readonly inode: number }
  | { readonly kind: 'fsync-dir'; readonly dir: string }
  | { readonly kind: 'write'; readonly inode: number; readonly path: string; readonly offset: number; readonly bytes: Uint8Array }
  | { readonly kind: 'truncate'; readonly inode: number; readonly path: string; readonly length: number }
  | { readonly kind: 'fsync' | 'fdatasync'; readonly inode: number; readonly path: string };

/** What a disk holds: names (directories included) and the contents of the files they name. */
export interface DiskImage {
  readonly names: ReadonlyMap<string, number>;
  readonly directories: ReadonlySet<number>;
  readonly contents: ReadonlyMap<number, Uint8Array>;
}

export interface CrashBounds {
  /** Bytes in a block: the unit a lost or kept write is cut into. */
  readonly blockBytes: number;
  /** A file's unsynced blocks up to this many are tried in every combination; above it, a sample. */
  readonly exhaustiveBlocks: number;
  /** Random combinations added to the structured ones when a file has more unsynced blocks. */
  readonly sampledCombinations: number;
  /** At most this many crash states per point of the record (a seeded sample beyond it). */
  readonly statesPerPoint: number;
}

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

export class PowerLossFileSystem implements FileSystem {
  readonly operations: FsOperation[] = [];
  private readonly names = new Map<string, number>();
  private readonly directories = new Set<number>();
  private readonly contents = new Map<number, Uint8Array>();
  private nextInode = 1;

  /** A file system whose disk holds `image`, all of it durable; `roots` are directories that exist already. */
  constructor(roots: readonly string[], image?: DiskImage) {
    for (const root of roots) this.addDirectory(root);
    if (image !== undefined) {
      for (const [path, inode] of image.names) this.names.set(path, inode);
      for (const d of image.directories) this.directories.add(d);
      for (const [inode, bytes] of image.contents) this.contents.set(inode, bytes.slice());
      this.nextInode = Math.max(this.nextInode, ...image.names.values()) + 1;
    }
  }

  /**
   * The file system a process finds when it restarts after `operations` and a crash of the
   * process alone: the page cache holds all of them, the disk only what was synced. The record
   * starts with them, so crash states computed later include what the restart adds.
   */
  static afterProcessCrash(roots: readonly string[], operations: readonly FsOperation[]): PowerLossFileSystem {
    const fs = new PowerLossFileSystem(roots);
    for (const op of operations) {
      if (op.kind === 'create' || op.kind === 'mkdir') {
        fs.names.set(op.path, op.inode);
        if (op.kind === 'mkdir') fs.directories.add(op.inode);
        else fs.contents.set(op.inode, new Uint8Array(0));
        fs.nextInode = Math.max(fs.nextInode, op.inode + 1);
      } else if (op.kind === 'unlink') fs.names.delete(op.path);
      else if (op.kind === 'rename') {
        fs.names.delete(op.from);
        fs.names.set(op.to, op.inode);
      } else if (op.kind === 'write' || op.kind === 'truncate') fs.contents.set(op.inode, applyData(fs.contents.get(op.inode)!, op));
      fs.operations.push(op);
    }
    return fs;
  }

  open(path: string, flags: string | number): WritableFile {
    let inode = this.names.get(path);
    if (inode !== undefined && this.directories.has(inode)) return this.directoryHandle(path);
    const creates = flags === 'w' || (typeof flags === 'number' && (flags & constants.O_CREAT) !== 0);
    const truncates = flags === 'w' || (typeof flags === 'number' && (flags & constants.O_TRUNC) !== 0);
    const appends = typeof flags === 'number' && (flags & constants.O_APPEND) !== 0;
    if (inode === undefined) {
      if (!creates) throw errno('ENOENT', 'open', path);
      this.parentOf(path, 'open');
      inode = this.nextInode++;
      this.names.set(path, inode);
      this.contents.set(inode, new Uint8Array(0));
      this.operations.push({ kind: 'create', dir: dirname(path), path, inode });
    } else if (truncates && this.contents.get(inode)!.length > 0) {
      this.contents.set(inode, new Uint8Array(0));
      this.operations.push({ kind: 'truncate', inode, path, length: 0 });
    }
    return this.fileHandle(path, inode, appends);
  }

  readFile(path: string): Uint8Array {
    const inode = this.names.get(path);
    if (inode === undefined) throw errno('ENOENT', 'open', path);
    if (this.directories.has(inode)) throw errno('EISDIR', 'read', path);
    return this.contents.get(inode)!.slice();
  }

  rename(from: string, to: string): void {
    const inode = this.names.get(from);
    if (inode === undefined) throw errno('ENOENT', 'rename', from);
    if (dirname(from) !== dirname(to)) throw new Error('this model renames within one directory only');
    this.names.delete(from);
    this.names.set(to, inode);
    this.operations.push({ kind: 'rename', dir: dirname(to), from, to, inode });
  }

  rm(path: string, options: { force: boolean }): void {
    const inode = this.names.get(path);
    if (inode === undefined) {
      if (options.force) return;
      throw errno('ENOENT', 'rm', path);
    }
    this.names.delete(path);
    this.operations.push({ kind: 'unlink', dir: dirname(path), path, inode });
  }

  mkdir(path: string): void {
    if (this.names.has(path)) throw errno('EEXIST', 'mkdir', path);
    this.parentOf(path, 'mkdir');
    const inode = this.nextInode++;
    this.names.set(path, inode);
    this.directories.add(inode);
    this.operations.push({ kind: 'mkdir', dir: dirname(path), path, inode });
  }

  stat(path: string): { isDirectory(): boolean } {
    const inode = this.names.get(path);
    if (inode === undefined) throw errno('ENOENT', 'stat', path);
    return { isDirectory: () => this.directories.has(inode) };
  }

  private addDirectory(path: string): void {
    const inode = this.nextInode++;
    this.names.set(path, inode);
    this.directories.add(inode);
  }

  private parentOf(path: string, syscall: string): void {
    const parent = this.names.get(dirname(path));
    if (parent === undefined || !this.directories.has(parent)) throw errno('ENOENT', syscall, path);
  }

  private directoryHandle(path: string): WritableFile {
    const refuse = (): never => { throw errno('EISDIR', 'write', path); };
    return {
      write: refuse,
      truncate: refuse,
      sync: () => { this.operations.push({ kind: 'fsync-dir', dir: path }); },
      datasync: () => { this.operations.push({ kind: 'fsync-dir', dir: path }); },
      close: () => {},
    };
  }

  private fileHandle(path: string, inode: number, appends: boolean): WritableFile {
    let position = 0;
    return {
      // `at`: a positioned write (pwrite), which Linux appends anyway on an O_APPEND file.
      write: (buffer: Uint8Array, offset: number, length: number, at?: number | null) => {
        const old = this.contents.get(inode)!;
        const to = appends ? old.length : typeof at === 'number' ? at : position;
        const bytes = buffer.slice(offset, offset + length);
        this.contents.set(inode, overwrite(old, to, bytes));
        this.operations.push({ kind: 'write', inode, path, offset: to, bytes });
        if (typeof at !== 'number') position = to + length;
        return length;
      },
      truncate: (length) => {
        this.contents.set(inode, resize(this.contents.get(inode)!, length));
        this.operations.push({ kind: 'truncate', inode, path, length });
      },
      sync: () => { this.operations.push({ kind: 'fsync', inode, path }); },
      datasync: () => { this.operations.push({ kind: 'fdatasync', inode, path }); },
      close: () => {},
    };
  }
}

function resize(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(bytes.subarray(0, Math.min(length, bytes.length)));
  return out;
}

function overwrite(bytes: Uint8Array, at: number, data: Uint8Array): Uint8Array {
  const out = resize(bytes, Math.max(bytes.length, at + data.length));
  out.set(data, at);
  return out;
}

/** One unsynced change to a file's data: a truncation, or one block's worth of a write. */
type Unit = { readonly kind: 'truncate'; readonly length: number } | { readonly kind: 'block'; readonly offset: number; readonly bytes: Uint8Array };
/** What became of a unit in a crash: lost, on disk, or (a block past the end) zeros up to its end. */
type Fate = 'lost' | 'kept' | 'zeros';

/**
 * Every disk a power loss right after `operations[0..count)` may leave, up to the bounds: the
 * product of each directory's surviving names and each file's surviving data, sampled with
 * `random` when it is larger than `bounds.statesPerPoint`.
 */
export function crashStates(roots: readonly string[], operations: readonly FsOperation[], count: number, bounds: CrashBounds, random: Random): DiskImage[] {
  const ops = operations.slice(0, count);
  const nameChoices = namespaceChoices(roots, ops);
  const inodes = [...new Set(ops.flatMap((op) => (op.kind === 'create' || ('inode' in op && isData(op)) ? [op.inode] : [])))];
  const dataChoices = inodes.map((inode) => fileChoices(ops, inode, bounds, random));
  const dimensions = [nameChoices.length, ...dataChoices.map((c) => c.length)];
  const total = dimensions.reduce((a, b) => a * b, 1);
  const picks: number[][] = [];
  if (total <= bounds.statesPerPoint) {
    for (let k = 0; k < total; k++) picks.push(digits(k, dimensions));
  } else {
    // The state where nothing unsynced survived, the one of each dimension's last choice, then a sample.
    picks.push(dimensions.map(() => 0), dimensions.map((d) => d - 1));
    while (picks.length < bounds.statesPerPoint) picks.push(dimensions.map((d) => random.int(d)));
  }
  return picks.map(([names, ...data]) => {
    const chosen = nameChoices[names!]!;
    const contents = new Map<number, Uint8Array>();
    inodes.forEach((inode, i) => contents.set(inode, dataChoices[i]![data[i]!]!));
    return { names: chosen.names, directories: chosen.directories, contents };
  });
}

/** Array.prototype.findLastIndex, which the project's ES2022 library lacks. */
export function lastIndexOf<T>(items: readonly T[], found: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (found(items[i]!)) return i;
  return -1;
}

function isData(op: FsOperation): boolean {
  return op.kind === 'write' || op.kind === 'truncate' || op.kind === 'fsync' || op.kind === 'fdatasync';
}

function digits(k: number, dimensions: readonly number[]): number[] {
  return dimensions.map((d) => {
    const digit = k % d;
    k = Math.floor(k / d);
    return digit;
  });
}

/** The names each combination of per-directory surviving prefixes leaves. */
function namespaceChoices(roots: readonly string[], ops: readonly FsOperation[]): { names: Map<string, number>; directories: Set<number> }[] {
  type NameOp = Extract<FsOperation, { kind: 'create' | 'mkdir' | 'unlink' | 'rename' }>;
  const nameOps = ops.filter((op): op is NameOp => op.kind === 'create' || op.kind === 'mkdir' || op.kind === 'unlink' || op.kind === 'rename');
  const dirs = [...new Set(nameOps.map((op) => op.dir))];
  // For each directory, how many of its name operations are durable, and how many there are.
  const ranges = dirs.map((dir) => {
    const mine = ops.flatMap((op, i) => ('dir' in op && op.dir === dir ? [{ op, i }] : []));
    const lastSync = lastIndexOf(mine, ({ op }) => op.kind === 'fsync-dir');
    const all = mine.filter(({ op }) => op.kind !== 'fsync-dir');
    const durable = lastSync < 0 ? 0 : mine.slice(0, lastSync).filter(({ op }) => op.kind !== 'fsync-dir').length;
    return { dir, all, durable };
  });
  const dimensions = ranges.map((r) => r.all.length - r.durable + 1);
  const total = dimensions.reduce((a, b) => a * b, 1);
  const out: { names: Map<string, number>; directories: Set<number> }[] = [];
  for (let k = 0; k < total; k++) {
    const keep = digits(k, dimensions);
    const survivors = new Set<number>();
    ranges.forEach((r, d) => r.all.slice(0, r.durable + keep[d]!).forEach(({ i }) => survivors.add(i)));
    const names = new Map<string, number>();
    const directories = new Set<number>();
    let inode = 0;
    for (const root of roots) {
      names.set(root, ++inode);
      directories.add(inode);
    }
    ops.forEach((op, i) => {
      if (!survivors.has(i)) return;
      if (op.kind === 'create' || op.kind === 'mkdir') names.set(op.path, op.inode);
      if (op.kind === 'mkdir') directories.add(op.inode);
      if (op.kind === 'unlink') names.delete(op.path);
      if (op.kind === 'rename') {
        names.delete(op.from);
        names.set(op.to, op.inode);
      }
    });
    // A name in a directory whose own name did not survive is unreachable.
    for (const path of names.keys()) if (!roots.includes(path) && !names.has(dirname(path))) names.delete(path);
    out.push({ names, directories });
  }
  return out;
}

/** The contents a file may have after the crash: its synced data plus some of what followed. */
function fileChoices(ops: readonly FsOperation[], inode: number, bounds: CrashBounds, random: Random): Uint8Array[] {
  const mine = ops.filter((op) => isData(op) && 'inode' in op && op.inode === inode);
  const lastSync = lastIndexOf(mine, (op) => op.kind === 'fsync' || op.kind === 'fdatasync');
  let durable: Uint8Array = new Uint8Array(0);
  for (const op of mine.slice(0, lastSync + 1)) durable = applyData(durable, op);
  const units: Unit[] = [];
  for (const op of mine.slice(lastSync + 1)) {
    if (op.kind === 'truncate') units.push({ kind: 'truncate', length: op.length });
    if (op.kind !== 'write') continue;
    // Cut at block boundaries of the file, as the page cache writes it back.
    for (let at = op.offset; at < op.offset + op.bytes.length;) {
      const end = Math.min(op.offset + op.bytes.length, (Math.floor(at / bounds.blockBytes) + 1) * bounds.blockBytes);
      units.push({ kind: 'block', offset: at, bytes: op.bytes.subarray(at - op.offset, end - op.offset) });
      at = end;
    }
  }
  const fates = fateCombinations(units.length, bounds, random);
  const seen = new Map<string, Uint8Array>();
  for (const f of fates) {
    let bytes = durable;
    units.forEach((unit, i) => {
      if (f[i] === 'lost') return;
      if (unit.kind === 'truncate') bytes = resize(bytes, unit.length);
      else if (f[i] === 'zeros') bytes = resize(bytes, Math.max(bytes.length, unit.offset + unit.bytes.length));
      else bytes = overwrite(bytes, unit.offset, unit.bytes);
    });
    seen.set(Buffer.from(bytes).toString('base64'), bytes);
  }
  return [...seen.values()];
}

function applyData(bytes: Uint8Array, op: FsOperation): Uint8Array {
  if (op.kind === 'write') return overwrite(bytes, op.offset, op.bytes);
  if (op.kind === 'truncate') return resize(bytes, op.length);
  return bytes;
}

/**
 * Which units survive: every combination of lost and kept for a few units; for more, the in-order
 * prefixes (the common case, the page cache writing back front to back) with and without a zeroed
 * tail, each unit alone lost, and a seeded sample of arbitrary combinations with zeros.
 */
function fateCombinations(n: number, bounds: CrashBounds, random: Random): Fate[][] {
  const out: Fate[][] = [];
  if (n <= bounds.exhaustiveBlocks) {
    for (let mask = 0; mask < 1 << n; mask++) out.push(Array.from({ length: n }, (_, i) => ((mask >> i) & 1 ? 'kept' : 'lost')));
  } else {
    for (let k = 0; k <= n; k++) out.push(Array.from({ length: n }, (_, i) => (i < k ? 'kept' : 'lost')));
    for (let k = 0; k < n; k++) out.push(Array.from({ length: n }, (_, i) => (i === k ? 'lost' : 'kept')));
    for (let s = 0; s < bounds.sampledCombinations; s++) out.push(Array.from({ length: n }, () => (['lost', 'kept', 'zeros'] as const)[random.int(3)]!));
  }
  for (let k = 0; k < n; k++) out.push(Array.from({ length: n }, (_, i) => (i < k ? 'kept' : 'zeros')));
  return out;
}
