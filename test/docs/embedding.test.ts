// docs/embedding.md shows examples/host-loop.ts whole; the copy must be the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test('docs/embedding.md quotes examples/host-loop.ts exactly', () => {
  assert.ok(read('docs/embedding.md').includes('```ts\n' + read('examples/host-loop.ts') + '```'), 'paste examples/host-loop.ts into docs/embedding.md again');
});
