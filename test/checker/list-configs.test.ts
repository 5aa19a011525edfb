// `--list-configs` lists every configuration --config accepts, each once, and says truly whether
// it searches with symmetry: `default` (npm run check with no --config) without, `default-symmetry`
// (the same bounds, npm start's first stage) with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { boundsNamed, namedBounds } from '../../src/checker/raft/configurations.ts';

test('--list-configs: each configuration once, its symmetry said as it is searched', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/checker/cli.ts', '--list-configs'], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => /^(\S+)\s+(.*)$/.exec(l)!.slice(1) as [string, string]);
  assert.deepEqual(rows.map(([name]) => name), namedBounds.map((c) => c.name));
  assert.equal(new Set(rows.map(([name]) => name)).size, rows.length, 'a configuration is listed twice');
  assert.equal(new Set(rows.map(([, about]) => about)).size, rows.length, 'two configurations are described alike');
  for (const [name, about] of rows) {
    const c = boundsNamed(name)!;
    assert.ok(c, `--config ${name} is listed but not accepted`);
    const says = /\bno symmetry\b/.test(about) ? false : /\bsymmetry\b/.test(about);
    assert.equal(says, c.symmetry, `${name}: "${about}" but symmetry=${c.symmetry}`);
  }
  assert.match(rows.find(([n]) => n === 'default')![1], /no --config.*no symmetry/);
});
