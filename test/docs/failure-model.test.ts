// docs/failure-model.md names, for each promise, the test that holds it: every file it names must
// exist, and every test it names (`file` › name, or › name after a file) must be in that file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
/** Enough of a test's name to find it; a name the page shortens ends at its "…". */
const PREFIX_CHARS = 40;

test('every file and test docs/failure-model.md names exists', () => {
  const page = read('docs/failure-model.md');
  const files = [...page.matchAll(/`((?:test|src)\/[^`]+\.ts)`/g)].map((m) => m[1]!);
  assert.ok(files.length > 20, 'the page names its tests as `test/...ts`');
  for (const f of new Set(files)) assert.ok(existsSync(new URL(f, root)), `docs/failure-model.md names ${f}, which does not exist`);
  let named = 0;
  for (const line of page.split('\n').filter((l) => l.startsWith('| **'))) {
    let file: string | null = null;
    // A name runs from its › to the next ;, | or …, or to the next file.
    for (const m of line.matchAll(/`((?:test|src)\/[^`]+\.ts)`|› ([^;|…›]+)/g)) {
      if (m[1] !== undefined) {
        file = m[1];
        continue;
      }
      const name = m[2]!.trim().slice(0, PREFIX_CHARS);
      assert.ok(file !== null, `"${name}" names no file before it`);
      assert.ok(read(file).includes(name), `${file} has no test named "${name}…"`);
      named++;
    }
  }
  assert.ok(named > 20, `only ${named} test names found`);
});
