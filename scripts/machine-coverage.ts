// The last line of `npm test`: the coverage of src/machine by the suite, and the floor README.md
// promises for it, enforced (exit 1 below it). It reads c8's json-summary of the run and adds up
// the files of src/machine itself, whatever else the summary holds.
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';

const FLOOR_PERCENT = 95;
const summaryFile = 'coverage/coverage-summary.json';

interface Counts { readonly total: number; readonly covered: number }
type FileSummary = Record<'lines' | 'branches', Counts>;

const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, FileSummary>;
const files = Object.entries(summary).filter(([path]) => path.includes(`${sep}src${sep}machine${sep}`)).map(([, counts]) => counts);
if (files.length === 0) throw new Error(`${summaryFile} has no file of src/machine: did the suite run under c8?`);

const measures = (['lines', 'branches'] as const).map((kind) => {
  const total = files.reduce((n, f) => n + f[kind].total, 0);
  const covered = files.reduce((n, f) => n + f[kind].covered, 0);
  const percent = (100 * covered) / total;
  return { kind, percent, text: `${kind} ${percent.toFixed(1)} % (${covered}/${total})` };
});
const short = measures.filter((m) => m.percent < FLOOR_PERCENT);
console.log(`coverage of src/machine (${files.length} files): ${measures.map((m) => m.text).join(', ')}; at least ${FLOOR_PERCENT} % enforced: ${short.length === 0 ? 'ok' : `FAILED (${short.map((m) => m.kind).join(', ')})`}`);
if (short.length > 0) process.exitCode = 1;
