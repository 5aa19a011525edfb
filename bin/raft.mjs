#!/usr/bin/env node
// The `raft` command. In a checkout it runs the TypeScript sources (tsx compiles them on load), so
// an edit takes effect without a build; an installed package has no sources and runs the compiled
// dist/ (npm run build) under plain node.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
