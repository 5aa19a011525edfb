// The browser bundle of src/machine needs no Node built-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleForBrowser } from '../../scripts/machine-bundle.ts';

test('the browser bundle of src/machine imports no Node built-in', async () => {
  const b = await bundleForBrowser();
  assert.deepEqual(b.nodeBuiltins, []);
  assert.ok(b.code.includes('RequestVote'), 'the bundle holds the machine');
  assert.doesNotMatch(b.code, /\brequire\(|\bprocess\.|\bBuffer\./);
});

test('a bundle that needs a Node built-in is caught', async () => {
  const b = await bundleForBrowser(new URL('../../scripts/diagrams.ts', import.meta.url).pathname);
  assert.ok(b.nodeBuiltins.some((m) => m.startsWith('node:fs')), `found ${b.nodeBuiltins.join(', ')}`);
});
