// What WAL preallocation buys on this disk (issue 12): the fdatasync after a 100-byte record appended
// to a growing file, against the same record written into space preallocated with zeros, which
// leaves the file's size and block map alone. Two rounds of each, alternating. Synchronous calls,
// as the WAL makes them.
//
//   npx tsx bench/fsync-preallocation.bench.ts [DIR]   (default: the system's temp directory)
import { closeSync, constants, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './closed-loop.ts';

const arg = process.argv[2];
if (arg !== undefined && arg.startsWith('-')) {
  const help = arg === '--help' || arg === '-h';
  (help ? process.stdout : process.stderr).write(`${help ? '' : `unknown option ${arg}\n`}Usage: npx tsx bench/fsync-preallocation.bench.ts [DIR]  (default: the system's temp directory)\n`);
  process.exit(help ? 0 : 2);
}
const RECORDS = 1000;
const record = new Uint8Array(100).fill(7);
const dir = await mkdtemp(join(arg ?? tmpdir(), 'fsync-preallocation-'));
try {
  for (const mode of ['append', 'preallocated', 'append', 'preallocated'] as const) {
    const file = join(dir, `${mode}.wal`);
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | (mode === 'append' ? constants.O_APPEND : 0));
    if (mode === 'preallocated') {
      writeSync(fd, new Uint8Array(1024 * 1024), 0, 1024 * 1024, 0);
      fsyncSync(fd);
    }
    const times: number[] = [];
    for (let i = 0; i < RECORDS; i++) {
      writeSync(fd, record, 0, record.length, i * record.length);
      const t0 = performance.now();
      fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
    closeSync(fd);
    rmSync(file);
    const ms = (q: number) => percentile(times, q).toFixed(3);
    console.log(`${mode.padEnd(12)} fdatasync p50 ${ms(0.5)} ms, p90 ${ms(0.9)} ms, p99 ${ms(0.99)} ms (${RECORDS} records of ${record.length} B)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
