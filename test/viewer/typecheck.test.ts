// The browser code (viewer/ui, examples/worker) needs the DOM's types, which the rest of the
// project must not see; it has its own tsconfig, checked here since `tsc -p .` leaves it out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the viewer and the worker example type-check against the DOM', () => {
  const r = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '--noEmit', '-p', 'viewer/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
