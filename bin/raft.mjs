#!/usr/bin/env node
// The `raft` command. The library is TypeScript run as is: tsx compiles it on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
