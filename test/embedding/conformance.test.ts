// The machine runs unchanged wherever JavaScript runs: the same conformance program under Node,
// Bun and Deno, each judged by its exit code. Bun and Deno are the `bun` and `deno` packages of the
// npm registry at pinned versions, fetched by `npm exec` when this test runs (kept in npm's cache
// after the first time), not installed by every `npm ci`; the test skips, saying why, when they
// cannot be fetched. The Web Worker run is in test/viewer/browser.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deriveStepper } from '../../src/machine/index.ts';
import { runConformance } from '../../examples/conformance-scenario.ts';
import { childEnv, npm } from './npm-child.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `npm exec` of a runtime's npm package; its install script puts the platform's binary in place. */
const fetched = (name: string, pinned: string) => ['exec', '--yes', '--prefer-offline', `--allow-scripts=${name}`, `--package=${name}@${pinned}`, '--', name];

const runtimes: { name: string; version?: string; args: string[] }[] = [
  { name: 'node', args: ['--import', 'tsx', 'examples/conformance.ts'] },
  { name: 'bun', version: '1.4.5', args: ['examples/conformance.ts'] },
  { name: 'deno', version: '2.9.5', args: ['run', '--allow-read', '--allow-env', 'examples/conformance.ts'] },
];

for (const { name, version, args } of runtimes) {
  test(`conformance passes under ${name}`, { timeout: 300_000 }, (t) => {
    let r;
    if (version === undefined) r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: childEnv() });
    else {
      const probe = npm([...fetched(name, version), '--version'], root);
      if (probe.status !== 0) {
        const why = probe.error?.message
          ?? probe.stderr.split('\n').find((l) => /^npm error (?!code\b|A complete log)/.test(l))?.replace('npm error ', '')
          ?? `npm exec exited ${probe.status}`;
        t.skip(`${name}@${version} could not be fetched from the npm registry (${why})`);
        return;
      }
      r = npm([...fetched(name, version), ...args], root);
    }
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
