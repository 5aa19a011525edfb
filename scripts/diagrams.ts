// npm run diagrams: writes docs/raft-machine.svg and docs/raft-machine.json from the machine.
import { writeFileSync } from 'node:fs';
import { raftMachine } from '../src/machine/index.ts';
import { commandLine } from './command-line.ts';
import { diagramFiles } from './statechart.ts';

commandLine(`usage: npm run diagrams
Draws the statechart from the machine definition and writes docs/raft-machine.svg (Graphviz) and
docs/raft-machine.json (the machine's configuration, for Stately's editor).`, {});

const docs = new URL('../docs/', import.meta.url);
const { svg, json } = await diagramFiles(raftMachine);
writeFileSync(new URL('raft-machine.svg', docs), svg);
writeFileSync(new URL('raft-machine.json', docs), json);
console.log('wrote docs/raft-machine.svg and docs/raft-machine.json');
