// npm run figure2: writes docs/figure2.md from the spec, the machine's comments and the tests.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandLine } from './command-line.ts';
import { figure2Table } from './figure2-table.ts';

commandLine(`usage: npm run figure2
Writes docs/figure2.md: each rule ID of spec/figure2.md, the functions in src/machine whose comments
quote it, and the tests whose names carry it (test/docs/figure2-table.test.ts fails when it is stale).`, {});

const root = fileURLToPath(new URL('../', import.meta.url));
writeFileSync(`${root}docs/figure2.md`, figure2Table(root));
console.log('wrote docs/figure2.md');
