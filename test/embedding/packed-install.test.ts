// The package as a user gets it: built, packed (npm pack), installed from the tarball into an
// empty directory outside the checkout, and used there under plain node with no TypeScript loader.
// The three programs it runs are the ones README.md's "Use it as a package" shows, taken from the
// README itself, so the README cannot drift from what works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configurationNamed } from '../../src/checker/index.ts';
import { childEnv, npm } from './npm-child.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const election = configurationNamed('election-3')!;

interface Packed { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }

let dir = '';
let app = '';
let packed: Packed;

const ok = (r: SpawnSyncReturns<string>, what: string) => {
  assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8', env: childEnv(), timeout: 60_000 });

/** README.md's "Use it as a package" programs, by the file name each one's first line gives. */
function readmePrograms(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split('\n## ').find((s) => s.startsWith('Use it as a package\n'));
  assert.ok(section, 'README.md has no "Use it as a package" section');
  const programs = new Map<string, string>();
  for (const [, code] of section.matchAll(/```(?:js|ts)\n([\s\S]*?)```/g)) {
    const name = /^\/\/ (\S+\.(?:mjs|ts)):/.exec(code!)?.[1];
    if (name !== undefined) programs.set(name, code!);
  }
  return programs;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'raft-ts-packed-'));
  // npm pack runs the prepack script, npm run build, so the tarball holds a fresh dist/.
  packed = (JSON.parse(ok(npm(['pack', '--json', '--pack-destination', dir], root, 180_000), 'npm pack')) as Packed[])[0]!;
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed.filename)], app);
  ok(install, 'npm install of the tarball');
  assert.doesNotMatch(install.stderr, /install scripts/, 'installing raft-ts warned about install scripts');
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds the compiled package and nothing else', (t) => {
  const paths = packed.files.map((f) => f.path);
  t.diagnostic(`${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${packed.entryCount} files`);
  const stray = paths.filter((p) => !(p.startsWith('dist/') || p === 'bin/raft.mjs' || p === 'package.json' || p === 'README.md'));
  assert.deepEqual(stray, []);
  for (const entry of ['machine', 'runtime', 'checker']) {
    for (const ext of ['js', 'd.ts', 'js.map']) assert.ok(paths.includes(`dist/${entry}/index.${ext}`), `dist/${entry}/index.${ext} is missing`);
  }
  assert.ok(paths.every((p) => !/\.test\.|\.(png|svg|jpg)$/.test(p)), 'a test or an image is in the tarball');
  assert.ok(packed.size < 512 * 1024, `the tarball is ${packed.size} bytes; something large slipped in`);
});

test('README programs run a 3-node election through each entry point under plain node', () => {
  const programs = readmePrograms();
  assert.deepEqual([...programs.keys()].sort(), ['checker.mjs', 'machine.mjs', 'runtime.ts']);
  for (const [name, code] of programs) writeFileSync(join(app, name), code);

  assert.match(ok(node(['machine.mjs']), 'node machine.mjs'), /^machine: leader 1$/m);

  // The TypeScript consumer: strict type check against the shipped declarations, then run.
  ok(spawnSync(process.execPath, [tsc, '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'runtime.ts'],
    { cwd: app, encoding: 'utf8', env: childEnv(), timeout: 60_000 }), 'tsc --strict runtime.ts');
  assert.match(ok(node(['runtime.js']), 'node runtime.js'), /^runtime: leader \d in term \d+$/m);

  assert.match(ok(node(['checker.mjs']), 'node checker.mjs'),
    new RegExp(`^checker: ${election.golden.distinct} states, complete true, violation none, first leader after \\d+ steps$`, 'm'));
});

test('the installed raft command runs under plain node: --help, and small checks on both kinds of worker thread', () => {
  assert.match(ok(npm(['exec', '--no', '--', 'raft', '--help'], app), 'npx raft --help'), /Usage: raft <command>[\s\S]*check/);
  const check = ok(npm(['exec', '--no', '--', 'raft', 'check', '--config', 'election-3', '--workers', '2'], app), 'npx raft check');
  assert.match(check, /explored the whole bounded state space/);
  assert.match(check, new RegExp(`distinct states ${election.golden.distinct.toLocaleString('en-US')},`));
  assert.match(check, /verdict: no violation/);
  // The portfolio's swarm walks run on the other kind of worker thread.
  const portfolio = ok(npm(['exec', '--no', '--', 'raft', 'check', '--strategy', 'portfolio', '--budget', '2', '--workers', '2'], app), 'npx raft check --strategy portfolio');
  assert.match(portfolio, /swarm seed \d+ \(walk \d+/);
  assert.match(portfolio, /verdict: no violation/);
});
