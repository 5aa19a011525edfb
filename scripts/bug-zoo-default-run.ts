// Runs the plain default run (`npm start -- --mutant ID`: the portfolio with its own budget and
// bounds, nothing per mutant) against every mutant of the zoo, one after another, and writes
// what it found, in what time and with how many steps, into the marked section of
// docs/bug-zoo.md. `npm run bug-zoo:default-run [-- --only Z1,Z17]`; each run gets the whole
// machine, so this takes a while (a mutant found late costs up to the budget).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { mutants } from '../src/checker/raft/mutants.ts';
import { commandLine, refuse, wholeNumber } from './command-line.ts';

const values = commandLine(`usage: npm run bug-zoo:default-run [-- --only Z1,Z17] [--budget SECONDS]
Runs \`npm start -- --mutant ID\` for every mutant (or those listed) and writes the table of what the
default run found into docs/bug-zoo.md, between its default-run markers. --budget is for trying it out;
the table is only written with the default budget.`, { only: { type: 'string' }, budget: { type: 'string' } });
const only = values.only?.split(',').map((s) => s.trim().toUpperCase());
const chosen = mutants.filter((m) => only === undefined || only.includes(m.id.toUpperCase()));
if (chosen.length === 0) refuse(`no mutant among ${values.only}`);
const budgetFlag = values.budget === undefined ? [] : ['--budget', String(wholeNumber('budget', values.budget, { min: 1 }))];

interface Row { id: string; text: string }
const doc = new URL('../docs/bug-zoo.md', import.meta.url);
const BEGIN = '<!-- default-run: written by npm run bug-zoo:default-run -->';
const END = '<!-- /default-run -->';
const before = readFileSync(doc, 'utf8');
const previous = new Map<string, string>();
const section = before.includes(BEGIN) ? before.slice(before.indexOf(BEGIN), before.indexOf(END)) : '';
for (const line of section.split('\n')) { const id = /^\| (\w+) \|/.exec(line)?.[1]; if (id && id !== 'id') previous.set(id, line); }

const rows: Row[] = [];
const loads: number[] = [];
for (const m of chosen) {
  loads.push(loadavg()[0]!);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/checker/cli.ts', '--strategy', 'portfolio', '--mutant', m.id, ...budgetFlag], {
    encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname, maxBuffer: 64 * 2 ** 20,
  });
  const seconds = (performance.now() - started) / 1000;
  const out = run.stdout;
  const verdict = /^verdict: (.*)$/m.exec(out)?.[1] ?? `no verdict (exit ${run.status}): ${run.stderr.split('\n').at(-2) ?? ''}`;
  const violated = /^(\w+) violated after (\d+) steps(?: \(shrunk from (\d+) to \d+ steps\))?/m.exec(out);
  const by = /found by (the exhaustive stage [\w-]+|swarm walk \d+ of seed \d+)/.exec(verdict)?.[1] ?? '—';
  const found = violated ? 'yes' : 'no';
  const expected = m.breaks ?? 'none expected';
  const steps = violated ? `${violated[2]}${violated[3] ? ` (from ${violated[3]})` : ''}` : '—';
  rows.push({ id: m.id, text: `| ${m.id} | ${m.name} | ${expected} | ${found} | ${violated?.[1] ?? '—'} | ${steps} | ${by.replace('the exhaustive stage ', 'exhaustive ')} | ${seconds.toFixed(0)} |` });
  console.log(`${m.id} ${m.name}: ${violated ? `${violated[1]} after ${steps} steps, by ${by}` : verdict}, ${seconds.toFixed(0)} s`);
}
if (values.budget !== undefined) process.exit(0);

for (const r of rows) previous.set(r.id, r.text);
const table = mutants.filter((m) => previous.has(m.id)).map((m) => previous.get(m.id)!);
const written = `${BEGIN}
## Found by the plain default run

Each row is \`npm start -- --mutant ID\`: the same portfolio, budget (300 s) and bounds as for the
shipped machines, nothing chosen per mutant (docs/checker.md, "The portfolio"). *Seconds* is the
wall time of the whole run, shrinking included, on this 2-core machine; its load average was
between ${Math.min(...loads).toFixed(1)} and ${Math.max(...loads).toFixed(1)} while the last ${rows.length === table.length ? 'run of all rows' : `run (of ${rows.length} rows: ${rows.map((r) => r.id).join(', ')})`} was measured; *steps* is the
trace printed (a swarm walk's is shrunk, from the length in brackets; an exhaustive stage's is
shortest); *by* says which search found it. A swarm find is reproducible from its seed and walk.

| id | mutant | expected to break | found | broken | steps | by | seconds |
|---|---|---|---|---|---|---|---|
${table.join('\n')}
`;
const after = before.includes(BEGIN)
  ? before.slice(0, before.indexOf(BEGIN)) + written + before.slice(before.indexOf(END))
  : `${before.trimEnd()}\n\n${written}${END}\n`;
writeFileSync(doc, after);
console.log(`docs/bug-zoo.md: ${rows.length} rows written`);
