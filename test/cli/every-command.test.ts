// Every command a user types (each `npm run` target, and each `raft` subcommand) answers --help with
// its usage and exit code 0, doing nothing else: nothing in docs/ rewritten, no process, server or
// socket started. An unknown flag is refused in one line with exit code 2. The targets are read from
// package.json, so a script added there is covered without touching this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandOutcome, CommandRun } from '../support/command-runs.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The file each `npm run` script starts (`tsx FILE ARGS` or `node FILE ARGS`) and the arguments it gives, by script name; pre-steps and the test runner left out. */
function scriptTargets(): Map<string, { file: string; args: string[] }> {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const targets = new Map<string, { file: string; args: string[] }>();
  for (const [name, command] of Object.entries(scripts)) {
    if (name.startsWith('pre') || name.startsWith('post') || command.includes('--test')) continue;
    const m = /^(?:tsx|node(?:\s+--import\s+tsx)?)\s+(\S+\.(?:ts|mjs|js))((?:\s+[\w=-]+)*)\s*$/.exec(command);
    if (m !== null) targets.set(name, { file: m[1]!, args: m[2]!.trim().split(/\s+/).filter(Boolean) });
  }
  return targets;
}

const mtimes = (dir: string): Map<string, number> => new Map(readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .map((f) => join(dir, f)).filter((f) => statSync(f).isFile()).map((f) => [f, statSync(f).mtimeMs]));

test('every command: --help prints usage and exits 0 doing nothing else; --bogus is refused in one line, exit 2', { timeout: 120_000 }, () => {
  const targets = scriptTargets();
  for (const name of ['start', 'check', 'demo', 'viewer', 'size', 'diagrams', 'figure2', 'bench', 'bench:udp', 'bench:flood', 'bug-zoo', 'raft']) {
    assert.ok(targets.has(name), `package.json has no script "${name}" starting a file; the test would not cover it`);
  }
  // `raft` and each subcommand. Its bin only loads src/cli/main.ts, which a module cache would run
  // once; test/cli/arguments.test.ts runs the bin itself.
  const commands: { name: string; file: string; args: string[] }[] = [...targets].flatMap(([name, { file, args }]) =>
    name === 'raft'
      ? [[], ['node'], ['cluster']].map((sub) => ({ name: ['raft', ...sub].join(' '), file: 'src/cli/main.ts', args: sub }))
      : [{ name: `npm run ${name}`, file, args }]);
  const runs: CommandRun[] = commands.flatMap((c) => [{ file: c.file, args: [...c.args, '--help'] }, { file: c.file, args: [...c.args, '--bogus'] }]);

  const docsBefore = mtimes(join(root, 'docs'));
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/support/command-runs.ts', JSON.stringify(runs)], {
    cwd: root, encoding: 'utf8', maxBuffer: 16 * 2 ** 20, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const outcomes = JSON.parse(out) as CommandOutcome[];
  assert.deepEqual(mtimes(join(root, 'docs')), docsBefore, 'a command rewrote a file in docs/');

  commands.forEach((c, k) => {
    const help = outcomes[2 * k]!, bogus = outcomes[2 * k + 1]!;
    assert.equal(help.code, 0, `${c.name} --help: exit ${help.code}\n${help.stderr}`);
    assert.match(help.stdout, /usage/i, `${c.name} --help printed no usage`);
    assert.equal(help.stderr, '', `${c.name} --help wrote to stderr`);
    assert.deepEqual(help.started, [], `${c.name} --help started something: ${help.started.join(', ')}`);
    assert.equal(bogus.code, 2, `${c.name} --bogus: exit ${bogus.code}\n${bogus.stderr}`);
    assert.equal(bogus.stdout, '', `${c.name} --bogus printed to stdout`);
    assert.match(bogus.stderr, /^[^\n]*--bogus[^\n]*\n$/, `${c.name} --bogus: not one line naming the flag: ${JSON.stringify(bogus.stderr)}`);
    assert.deepEqual(bogus.started, [], `${c.name} --bogus started something: ${bogus.started.join(', ')}`);
  });
});

test('a command refused through the real entry point exits 2 (not only in the shared process)', () => {
  const run = (args: string[]) => {
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/viewer.ts', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return 0;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };
  assert.equal(run(['--port', 'http']), 2);
});
