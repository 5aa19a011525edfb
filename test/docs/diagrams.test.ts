// The committed statechart diagrams must be what `npm run diagrams` derives from the machine now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup } from 'xstate';
import { raftMachine, type RaftMachine } from '../../src/machine/index.ts';
import { diagramFiles, statechartDot, statelyConfig } from '../../scripts/statechart.ts';

const committed = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

test('docs/raft-machine.svg and .json are up to date with the machine (else run npm run diagrams)', async () => {
  const fresh = await diagramFiles(raftMachine);
  assert.equal(committed('raft-machine.json'), fresh.json, 'docs/raft-machine.json is stale: npm run diagrams');
  assert.equal(committed('raft-machine.svg'), fresh.svg, 'docs/raft-machine.svg is stale: npm run diagrams');
});

test('the diagram shows every state, event, guard and action of the machine', () => {
  const dot = statechartDot(raftMachine);
  const json = JSON.stringify(statelyConfig(raftMachine));
  for (const role of ['follower', 'candidate', 'leader']) assert.match(dot, new RegExp(`id="state-${role}"`));
  for (const [, node] of [['raft', raftMachine.root] as const, ...Object.entries(raftMachine.root.states)]) {
    for (const [event, list] of node.transitions) {
      assert.ok(dot.includes(event), `diagram lacks ${event}`);
      for (const t of list) {
        for (const name of [...(t.guard ? [String(t.guard)] : []), ...t.actions.map(String)]) {
          assert.ok(dot.includes(name) && json.includes(`"${name}"`), `diagram lacks ${name}`);
        }
      }
    }
  }
});

test('a changed machine gives a different diagram, so a stale one is caught', () => {
  const changed = setup({}).createMachine({
    id: 'raft', initial: 'follower',
    states: { follower: { on: { ElectionTimeout: { target: 'candidate' } } }, candidate: {}, leader: {} },
  }) as unknown as RaftMachine;
  assert.notEqual(statechartDot(changed), statechartDot(raftMachine));
  assert.deepEqual(statelyConfig(changed), {
    id: 'raft', initial: 'follower',
    states: { follower: { on: { ElectionTimeout: [{ target: 'candidate' }] } }, candidate: {}, leader: {} },
  });
});
