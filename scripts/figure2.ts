// npm run figure2: writes docs/figure2.md from the spec, the machine's comments and the tests.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { figure2Table } from './figure2-table.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
writeFileSync(`${root}docs/figure2.md`, figure2Table(root));
console.log('wrote docs/figure2.md');
