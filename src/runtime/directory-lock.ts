// One process per data directory. Two processes appending to one log interleave their records and
// leave a file neither can reopen, and even a start that fails later would delete the other's temp
// file and truncate what it takes for a torn tail. So the storage takes this lock before it reads or
// writes anything in the directory: a file created exclusively (O_CREAT|O_EXCL), naming its holder.
//
// A lock outlives a process killed with SIGKILL. It is stale when its holder, on this host, no longer
// exists: the next opener says so and takes it over. A lock of another host (a shared file system)
// cannot be checked and is always respected. Two openers taking over one stale lock at the same
// instant could both succeed (each removes the file and creates its own); that needs two starts
// within microseconds of each other against a crashed node's directory.
//
// The lock is not data: it goes straight to the process's file system, not through the FileSystem
// seam whose faults model a failing disk, and it is never fsynced: after a power loss every holder
// is gone, so whatever the file holds then is stale.
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.ts';

/** The lock's file name inside a data directory; it holds the holder's pid and host name. */
export const LOCK_FILE = 'raft.lock';

/** A holder that has just created the lock writes its pid at once; an empty lock older than this is a crash's. */
const EMPTY_LOCK_GRACE_MS = 100;

/** Another process holds the data directory. */
export class DirectoryInUseError extends Error {
  override name = 'DirectoryInUseError';
  constructor(readonly dir: string, readonly holder: string) {
    super(`data directory ${dir} is in use by ${holder} (${LOCK_FILE})`);
  }
}

interface Holder { readonly pid: number; readonly host: string }

/**
 * One process per data directory: an exclusively created {@link LOCK_FILE} naming its holder. A lock
 * whose holder on this host is gone is taken over; one of another host is always respected. Taken
 * by {@link FileStorage.open} before it reads or writes anything in the directory.
 */
export class DirectoryLock {
  private held = true;

  private constructor(private readonly file: string) {}

  /** Takes the lock of `dir`, taking over a stale one once; DirectoryInUseError if a live process holds it. */
  static async acquire(dir: string, logger: Logger): Promise<DirectoryLock> {
    const file = join(dir, LOCK_FILE);
    for (let attempt = 0; ; attempt++) {
      if (await create(file)) return new DirectoryLock(file);
      const holder = await readHolder(file);
      if (holder === 'gone') continue; // released between our create and our read: try again
      if (holder !== null) {
        const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
        const name = `process ${holder.pid}${where}`;
        if (where !== '' || isAlive(holder.pid) || attempt > 0) throw new DirectoryInUseError(dir, name);
        logger.warn(`${file}: ${name} holds the lock but no longer exists; taking it over`);
      } else {
        if (attempt > 0) throw new DirectoryInUseError(dir, 'a process that wrote no pid');
        logger.warn(`${file}: an empty lock (a start that crashed while taking it); taking it over`);
      }
      await rm(file, { force: true });
    }
  }

  /** Removes the lock once: a second release could remove the lock of a process that came after. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await rm(this.file, { force: true });
  }
}

/** True if this process created the lock file, false if it exists. */
async function create(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(`${process.pid} ${hostname()}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/** The holder the lock names; null if it names none even after a holder's grace to write it; 'gone' if it vanished. */
async function readHolder(file: string): Promise<Holder | null | 'gone'> {
  for (let waited = false; ; waited = true) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw err;
    }
    const m = /^(\d+) (\S+)\n$/.exec(text);
    if (m !== null) return { pid: Number(m[1]), host: m[2]! };
    if (waited) return null;
    await sleep(EMPTY_LOCK_GRACE_MS);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
