// The power-loss property of FileStorage: run a node's saves on the recording file system, then
// at every point of the operation record cut the power in each way the model allows, recover,
// and check that the state recovered is the last acknowledged one, or the one whose save was under
// way (its record may have landed whole before the acknowledgement), or that recovery refused with
// an error naming the file. Anything else is a storage that returned a log nobody acknowledged.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { nodeId, term, type PersistentState } from '../../src/machine/index.ts';
import { FileStorage, StorageError, StorageCorruptError } from '../../src/runtime/file-storage.ts';
import { seededRandom } from '../../src/runtime/random.ts';
import { PowerLossFileSystem, crashStates, lastIndexOf, type CrashBounds, type DiskImage, type FsOperation } from './power-loss-file-system.ts';
import { lifeOf, storageActionArb } from './storage-workload.ts';

const ids = { clusterId: 77, nodeId: nodeId(2) };
/** A node's state before its first save. */
const fresh = lifeOf([])[0]!;

export interface PowerLossOptions {
  readonly bounds: CrashBounds;
  /** Workloads fast-check draws, and the most storage actions in one. */
  readonly runs: number;
  readonly maxActions: number;
  readonly seed: number;
  /** Cut the power at every operation of a restart, not only once it recovered and once it saved. */
  readonly everyRestartPoint: boolean;
  /** FileStorage's WAL preallocation (raft node runs with it); 0 or absent: none. */
  readonly preallocateBytes?: number;
}

export interface PowerLossTally {
  workloads: number;
  /** Points of the operation records, each crashed in every way below. */
  points: number;
  /** Disks a power loss left, each recovered: after the workload's operations, or after a restart's. */
  powerLossDisks: number;
  /** Process crashes, each restarted on the page cache, saved once more, then cut by a power loss. */
  restarts: number;
  /** Recoveries (of disks and restarts) that gave the acknowledged state, or the one under way. */
  gaveAcknowledged: number;
  gaveUnderWay: number;
  refused: number;
}

interface Save { readonly state: PersistentState; readonly started: number; readonly acknowledged: number }

/** Runs the property; throws (with the shrunk workload, the point and the disk) if it fails. */
export async function checkPowerLoss(options: PowerLossOptions): Promise<PowerLossTally> {
  const tally: PowerLossTally = { workloads: 0, points: 0, powerLossDisks: 0, restarts: 0, gaveAcknowledged: 0, gaveUnderWay: 0, refused: 0 };
  const base = await mkdtemp(join(tmpdir(), 'raft-power-loss-'));
  // The directory lock bypasses the FileSystem seam (it is not data), so it needs a real directory.
  const dir = join(base, 'data');
  await mkdir(dir);
  try {
    await fc.assert(fc.asyncProperty(fc.array(storageActionArb, { minLength: 1, maxLength: options.maxActions }), fc.nat(), async (actions, sampling) => {
      tally.workloads++;
      const fs = new PowerLossFileSystem([base]);
      const storage = await FileStorage.open({ dir, ...ids, fs, preallocateBytes: options.preallocateBytes ?? 0 });
      const saves: Save[] = [];
      for (const state of lifeOf(actions)) {
        const started = fs.operations.length;
        storage.save(state);
        saves.push({ state, started, acknowledged: fs.operations.length });
      }
      await storage.close();
      const random = seededRandom(sampling);
      for (let point = 0; point <= fs.operations.length; point++) {
        tally.points++;
        const acknowledged = saves[lastIndexOf(saves, (s) => s.acknowledged <= point)]?.state ?? null;
        const underWay = saves.find((s) => s.started < point && point < s.acknowledged)?.state;
        /** The first state allowed is the acknowledged one; any other, a save under way. */
        const judge = (outcome: PersistentState | null | Error, allowed: readonly (PersistentState | null)[], where: () => string): void => {
          if (outcome instanceof Error) {
            assert.ok(outcome instanceof StorageError || outcome instanceof StorageCorruptError, `recovery threw ${String(outcome)}; ${where()}`);
            assert.ok(outcome.message.includes(dir), `a refusal that names no file: ${outcome.message}`);
            tally.refused++;
            return;
          }
          const k = allowed.findIndex((s) => isDeepStrictEqual(outcome, s));
          if (k < 0) assert.fail(`recovered ${summary(outcome)}, acknowledged ${summary(allowed[0] ?? null)}; ${where()}`);
          if (k === 0) tally.gaveAcknowledged++;
          else tally.gaveUnderWay++;
        };
        const allowed = underWay === undefined ? [acknowledged] : [acknowledged, underWay];
        for (const image of crashStates([base], fs.operations, point, options.bounds, random)) {
          tally.powerLossDisks++;
          judge(await recoverFrom(dir, new PowerLossFileSystem([base], image), options.preallocateBytes ?? 0), allowed, () => `power lost after operation ${point} of:\n${describe(fs.operations)}\ndisk: ${describeImage(image)}`);
        }
        // The process alone crashes here and restarts: the node acts on what it recovers as if it
        // were durable, and saves on top of it. A power loss during the recovery may give any state
        // allowed before it; after it, only what the restart recovered, or its save once that is
        // under way; after that save, only that save.
        tally.restarts++;
        const restarted = PowerLossFileSystem.afterProcessCrash([base], fs.operations.slice(0, point));
        const afterRestart = (at: number) => `process crashed after operation ${point}, restarted and saved, power lost after operation ${at} of:\n${describe(restarted.operations)}`;
        let storage: FileStorage;
        try {
          storage = await FileStorage.open({ dir, ...ids, fs: restarted, preallocateBytes: options.preallocateBytes ?? 0 });
        } catch (err) {
          judge(err as Error, allowed, () => afterRestart(restarted.operations.length));
          continue;
        }
        const opened = restarted.operations.length;
        const recovered = storage.load();
        judge(recovered, allowed, () => afterRestart(opened));
        const next = nextTerm(recovered ?? fresh);
        storage.save(next);
        await storage.close();
        const saved = restarted.operations.length;
        const cuts = options.everyRestartPoint ? Array.from({ length: saved - point + 1 }, (_, k) => point + k) : [opened, saved];
        for (const at of cuts) {
          const then = at < opened ? allowed : at < saved ? [recovered, next] : [next];
          for (const image of crashStates([base], restarted.operations, at, options.bounds, random)) {
            tally.powerLossDisks++;
            judge(await recoverFrom(dir, new PowerLossFileSystem([base], image), options.preallocateBytes ?? 0), then, () => `${afterRestart(at)}\ndisk: ${describeImage(image)}`);
          }
        }
      }
    }), { seed: options.seed, numRuns: options.runs });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  return tally;
}

/** Opens the storage on `fs` and returns what it recovered, or why it refused. */
async function recoverFrom(dir: string, fs: PowerLossFileSystem, preallocateBytes: number): Promise<PersistentState | null | Error> {
  let storage: FileStorage;
  try {
    storage = await FileStorage.open({ dir, ...ids, fs, preallocateBytes });
  } catch (err) {
    return err as Error;
  }
  try {
    return storage.load();
  } finally {
    await storage.close();
  }
}

/** A save a restarted node makes: a new term, as after an election timeout. */
function nextTerm(s: PersistentState): PersistentState {
  return { ...s, currentTerm: term(s.currentTerm + 1), votedFor: null };
}

function summary(s: PersistentState | null): string {
  if (s === null) return 'nothing';
  return `term ${s.currentTerm} vote ${s.votedFor} log ${s.log.snapshotIndex}+${s.log.entries.length} (snapshot ${s.snapshot.length} bytes)`;
}

function describe(ops: readonly FsOperation[]): string {
  return ops.map((op, i) => {
    const what = op.kind === 'write' ? `write ${op.path} @${op.offset} ${op.bytes.length} bytes`
      : op.kind === 'truncate' ? `truncate ${op.path} to ${op.length}`
        : op.kind === 'rename' ? `rename ${op.from} -> ${op.to}`
          : op.kind === 'fsync-dir' ? `fsync dir ${op.dir}`
            : `${op.kind} ${op.path}`;
    return `  ${i}: ${what}`;
  }).join('\n');
}

function describeImage(image: DiskImage): string {
  return [...image.names].map(([path, inode]) => (image.directories.has(inode) ? `${path}/` : `${path} (${image.contents.get(inode)?.length ?? 0} bytes)`)).join(', ');
}
