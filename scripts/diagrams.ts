// npm run diagrams: writes docs/raft-machine.svg and docs/raft-machine.json from the machine.
import { writeFileSync } from 'node:fs';
import { raftMachine } from '../src/machine/index.ts';
import { diagramFiles } from './statechart.ts';

const docs = new URL('../docs/', import.meta.url);
const { svg, json } = await diagramFiles(raftMachine);
writeFileSync(new URL('raft-machine.svg', docs), svg);
writeFileSync(new URL('raft-machine.json', docs), json);
console.log('wrote docs/raft-machine.svg and docs/raft-machine.json');
