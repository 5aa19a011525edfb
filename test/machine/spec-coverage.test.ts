// Every rule ID of spec/figure2.md must name at least one test, and every ID a test names must
// exist in the spec, so the spec and the suite cannot drift apart silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const spec = readFileSync(join(root, 'spec/figure2.md'), 'utf8');
const specIds = [...spec.matchAll(/^\| \*\*([A-Z]{1,2}\.\d+)\*\* \|/gm)].map((m) => m[1]!);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []);
}

const testNames = testFiles(join(root, 'test')).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/\btest\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((m) => m[2]!));
const idsInNames = new Set(testNames.flatMap((name) => [...name.matchAll(/\b([A-Z]{1,2}\.\d+)\b/g)].map((m) => m[1]!)));

test('spec/figure2.md lists the rules with unique IDs', () => {
  assert.ok(specIds.length >= 30, `found only ${specIds.length} IDs`);
  assert.equal(new Set(specIds).size, specIds.length, 'duplicate IDs');
});

test('every rule ID in spec/figure2.md has a test that names it', () => {
  const untested = specIds.filter((id) => !idsInNames.has(id));
  assert.deepEqual(untested, [], `rules without a test: ${untested.join(', ')}`);
});

test('every rule ID a test names exists in spec/figure2.md', () => {
  const unknown = [...idsInNames].filter((id) => !specIds.includes(id));
  assert.deepEqual(unknown, [], `tests name unknown rules: ${unknown.join(', ')}`);
});
