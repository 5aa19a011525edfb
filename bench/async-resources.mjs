// Loaded into `raft node` processes by bench/one-in-flight.bench.ts (NODE_OPTIONS=--import): counts
// the async resources each creates, by type (TickObject: a process.nextTick; Immediate: a
// setImmediate; Timeout: a timer; PROMISE; FSREQPROMISE: a file operation on the threadpool), and
// writes them at exit to $RAFT_RESOURCES_DIR/node-<id>.json.
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env['RAFT_RESOURCES_DIR'];
const id = process.argv[process.argv.indexOf('--id') + 1];
if (dir !== undefined && process.argv.includes('node') && id !== undefined) {
  const counts = {};
  createHook({ init(_asyncId, type) { counts[type] = (counts[type] ?? 0) + 1; } }).enable();
  process.on('exit', () => writeFileSync(join(dir, `node-${id}.json`), JSON.stringify(counts)));
}
