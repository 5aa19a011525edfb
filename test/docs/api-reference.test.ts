// The API reference (npm run docs:api: TypeDoc over the three public entry points) has no broken
// link, and no public export is without a doc comment except those in undocumented-exports.txt:
// exports that were undocumented when this check came, to be documented by whoever next changes
// them. The list may only shrink: a new undocumented export fails, and so does a listed one that
// has gained its comment and is still listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const typedoc = `${root}node_modules/typedoc/bin/typedoc`;
const listFile = new URL('undocumented-exports.txt', import.meta.url);
const skip = existsSync(typedoc) ? false : 'typedoc is not installed (a devDependency: npm ci installs it)';

test('the API reference builds with no broken link, and every public export has a doc comment or is listed', { skip, timeout: 180_000 }, () => {
  const r = spawnSync(process.execPath, [typedoc, '--emit', 'none', '--treatValidationWarningsAsErrors', 'false'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, `typedoc exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const warnings = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
    .filter((l) => l.startsWith('[warning] ') && !/^\[warning\] Found \d+ errors and \d+ warnings$/.test(l))
    .map((l) => l.slice('[warning] '.length));
  const undocumented = new Set(warnings.flatMap((w) => /^(.+?), defined in .*, does not have any documentation$/.exec(w)?.[1] ?? []));
  assert.deepEqual(warnings.filter((w) => !w.endsWith('does not have any documentation')), [], 'TypeDoc found broken links or other faults');

  const listed = new Set(readFileSync(listFile, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')));
  assert.deepEqual([...undocumented].filter((u) => !listed.has(u)), [], 'these public exports need a doc comment');
  assert.deepEqual([...listed].filter((l) => !undocumented.has(l)), [], `these are documented now: remove them from ${fileURLToPath(listFile)}`);
});
