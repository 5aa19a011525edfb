// Loaded into `raft node` processes by bench/one-in-flight.bench.ts --cpu-profile DIR
// (NODE_OPTIONS=--import; node refuses --cpu-prof there): the inspector's CPU profiler over the
// whole process, written at exit to $RAFT_CPU_PROFILE_DIR/node-<id>.cpuprofile (open it in Chrome
// DevTools or speedscope).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env['RAFT_CPU_PROFILE_DIR'];
const id = process.argv[process.argv.indexOf('--id') + 1];
if (dir !== undefined && process.argv.includes('node') && id !== undefined) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  session.post('Profiler.start');
  // A session on the main thread answers synchronously, so the profile is written before the exit.
  process.on('exit', () => session.post('Profiler.stop', (err, result) => {
    if (err === null) writeFileSync(join(dir, `node-${id}.cpuprofile`), JSON.stringify(result.profile));
  }));
}
