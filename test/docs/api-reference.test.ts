// The API reference (npm run docs:api: TypeDoc over the three public entry points) has no broken
// link, and every public export has a doc comment (typedoc.json says which kinds need one). TypeDoc
// runs with its validation warnings as warnings, not errors, so that a failure names every fault at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const typedoc = `${root}node_modules/typedoc/bin/typedoc`;
const skip = existsSync(typedoc) ? false : 'typedoc is not installed (a devDependency: npm ci installs it)';

test('the API reference builds with no broken link, and every public export has a doc comment', { skip, timeout: 180_000 }, () => {
  const r = spawnSync(process.execPath, [typedoc, '--emit', 'none', '--treatValidationWarningsAsErrors', 'false'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, `typedoc exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const warnings = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
    .filter((l) => l.startsWith('[warning] ') && !/^\[warning\] Found \d+ errors and \d+ warnings$/.test(l))
    .map((l) => l.slice('[warning] '.length));
  const undocumented = warnings.flatMap((w) => /^(.+?), defined in .*, does not have any documentation$/.exec(w)?.[1] ?? []);
  assert.deepEqual(warnings.filter((w) => !w.endsWith('does not have any documentation')), [], 'TypeDoc found broken links or other faults');
  assert.deepEqual(undocumented, [], 'these public exports need a doc comment');
});
