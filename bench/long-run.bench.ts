// A process you can leave running (issue 12): one million commands through three `raft node`
// processes (UDP on loopback, file storage with fsync on) that snapshot every --snapshot-entries
// commands, printing each node's data directory size, resident memory and in-memory log at
// intervals. Both stay flat after the first snapshot; without snapshots they grow with the log.
//
//   npx tsx bench/long-run.bench.ts [--commands N] [--in-flight N] [--every N] [--snapshot-entries N]
import { parseArgs } from 'node:util';
import { LocalCluster } from '../test/support/local-cluster.ts';
import { steadyLoad } from '../test/support/steady-load.ts';

const usage = 'Usage: npx tsx bench/long-run.bench.ts [--commands N (1000000)] [--in-flight N (256)] [--every N (50000)] [--snapshot-entries N (10000; 0: never)]\n';
let values;
try {
  ({ values } = parseArgs({
    options: {
      commands: { type: 'string', default: '1000000' },
      'in-flight': { type: 'string', default: '256' },
      every: { type: 'string', default: '50000' },
      'snapshot-entries': { type: 'string', default: '10000' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (err) {
  process.stderr.write(`long-run: ${(err as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const [commands, inFlight, every, snapshotEntries] = [values.commands, values['in-flight'], values.every, values['snapshot-entries']].map((value, i) => {
  const v = String(value);
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < (i === 3 ? 0 : 1)) {
    process.stderr.write(`long-run: ${['--commands', '--in-flight', '--every', '--snapshot-entries'][i]} must be a whole number${i === 3 ? '' : ' above 0'}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}) as [number, number, number, number];

const kib = (b: number) => `${Math.round(b / 1024)}`;
const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
const cluster = await LocalCluster.start(3, ['--metrics-port', '0', '--snapshot-entries', String(snapshotEntries)]);
try {
  console.log(`${commands} commands, ${inFlight} in flight, 3 raft node processes on 127.0.0.1 (UDP, fsync on), --snapshot-entries ${snapshotEntries}`);
  console.log('| committed | s | ops/s (interval) | disk KiB per node | WAL data KiB per node | RSS MiB per node | log entries in memory per node |');
  console.log('|---|---|---|---|---|---|---|');
  const t0 = performance.now();
  let last = { at: t0, committed: 0 };
  await steadyLoad(cluster, commands, inFlight, every, (s, refused) => {
    const now = performance.now();
    const rate = (s.committed - last.committed) / ((now - last.at) / 1000);
    last = { at: now, committed: s.committed };
    const per = (f: (n: (typeof s.nodes)[number]) => string) => s.nodes.map(f).join(' / ');
    console.log(`| ${s.committed} | ${((now - t0) / 1000).toFixed(0)} | ${Math.round(rate)} | ${per((n) => kib(n.diskBytes))} | ${per((n) => kib(n.walBytes))} | ${per((n) => mib(n.rssBytes))} | ${per((n) => String(n.logEntries))} |${refused > 0 ? ` (${refused} proposals refused by leader changes so far)` : ''}`);
  });
} finally {
  await cluster.stop();
}
