// src/machine must run unchanged in a browser, a worker, Deno or Bun: no Node built-ins, no
// ambient host objects, and only imports of its own files or of xstate and ts-pattern.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const dir = new URL('../../src/machine/', import.meta.url).pathname;
const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []);
const sources = files(dir).map((f) => ({ file: relative(dir, f), text: readFileSync(f, 'utf8') }));
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const allowedPackages = new Set(['xstate', 'ts-pattern']);

test('src/machine imports no Node built-in and no package beyond xstate and ts-pattern', () => {
  const offending = sources.flatMap(({ file, text }) =>
    [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)]
      .map((m) => m[1]!)
      .filter((spec) => builtins.has(spec) || spec.startsWith('node:') || (!spec.startsWith('.') && !allowedPackages.has(spec)))
      .map((spec) => `${file}: ${spec}`));
  assert.deepEqual(offending, []);
});

test('src/machine uses no host globals: no clock, timers, randomness, process or Buffer', () => {
  const pattern = /\b(process|Buffer|require|setTimeout|setInterval|setImmediate|Date|performance|Math\.random|crypto|globalThis|window|console)\b/;
  const offending = sources.flatMap(({ file, text }) =>
    text.split('\n').flatMap((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      return pattern.test(code) ? [`${file}:${i + 1}: ${line.trim()}`] : [];
    }));
  assert.deepEqual(offending, []);
});

test('the portability check sees the machine\'s files', () => {
  assert.ok(sources.some((s) => s.file === 'machine.ts') && sources.some((s) => s.file.startsWith('rules/')));
});
