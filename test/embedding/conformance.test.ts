// The machine runs unchanged wherever JavaScript runs: the same conformance program under Node,
// Bun and Deno (both from the npm registry, as devDependencies), each judged by its exit code.
// The Web Worker run is in test/viewer/browser.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deriveStepper } from '../../src/machine/index.ts';
import { runConformance } from '../../examples/conformance-scenario.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

const runtimes: { name: string; command: string; args: string[] }[] = [
  { name: 'node', command: process.execPath, args: ['--import', 'tsx', 'examples/conformance.ts'] },
  { name: 'bun', command: bin('bun'), args: ['examples/conformance.ts'] },
  { name: 'deno', command: bin('deno'), args: ['run', '--allow-read', '--allow-env', 'examples/conformance.ts'] },
];

for (const { name, command, args } of runtimes) {
  const missing = !existsSync(command);
  test(`conformance passes under ${name}`, { skip: missing && `${name} is not installed (npm ci installs it from the npm registry)` }, () => {
    const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    assert.equal(r.status, 0, `${name} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`conformance on ${name}: PASS`));
  });
}

test('the conformance scenario fails on a machine that breaks a rule', () => {
  // A leader that ignores AppendEntries replies never learns that a majority has an entry.
  const report = runConformance(deriveStepper({ handlers: { handleAppendEntriesReply: (s) => ({ state: s, effects: [] }) } }));
  assert.equal(report.passed, false);
  assert.ok(report.checks.some((c) => !c.ok && /commit/.test(c.what)));
});
