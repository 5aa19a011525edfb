// Every checker claim is backed by a mutant it catches: each bug-zoo mutant, under its stated
// bounds, breaks the property it is expected to break, with the shortest trace docs/bug-zoo.md
// gives. Searches use symmetry reduction (tested not to change verdicts or BFS depths).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bfs } from '../../src/checker/bfs.ts';
import { raftModel, raftSwarmSpace } from '../../src/checker/raft/model.ts';
import { swarmChoices } from '../../src/checker/raft/configurations.ts';
import { swarm } from '../../src/checker/swarm.ts';
import { mutants } from '../../src/checker/raft/mutants.ts';

const doc = readFileSync(new URL('../../docs/bug-zoo.md', import.meta.url), 'utf8');
const documentedLength = (id: string): number | undefined => {
  const row = doc.split('\n').find((line) => line.startsWith(`| ${id} |`));
  const cell = row?.split('|')[5]?.trim();
  return cell && /^\d+$/.test(cell) ? Number(cell) : undefined;
};

for (const m of mutants) {
  const model = () => raftModel({ bounds: m.bounds, overrides: m.overrides, symmetry: true });
  if (m.walk !== undefined) {
    test(`mutant ${m.id} ${m.name}: swarm walk ${m.walk} of seed 1 finds ${m.breaks} broken`, () => {
      const r = swarm(raftSwarmSpace(swarmChoices, m.overrides), { seed: 1, depth: 200, walk: m.walk });
      assert.equal(r.violation?.property, m.breaks);
      assert.equal(r.violation.path.actions.length, documentedLength(m.id), 'walk length differs from docs/bug-zoo.md');
    });
  } else if (m.breaks === null) {
    test(`mutant ${m.id} ${m.name}: not a safety bug on its own, and the checker agrees exhaustively`, () => {
      const r = bfs(model());
      assert.equal(r.violation, undefined, `${r.violation?.property}`);
      assert.ok(r.complete);
    });
  } else {
    test(`mutant ${m.id} ${m.name}: the checker finds ${m.breaks} broken`, () => {
      const r = bfs(model());
      assert.equal(r.violation?.property, m.breaks);
      assert.equal(r.violation.path.actions.length, documentedLength(m.id), 'shortest trace length differs from docs/bug-zoo.md');
    });
  }
  if (m.id.startsWith('P')) {
    test(`mutant ${m.id} ${m.name}: within its bounds, only ${m.breaks} catches it`, () => {
      const full = model();
      const r = bfs({ ...full, properties: full.properties.filter((p) => p.name !== m.breaks) });
      assert.ok(r.complete, 'the search without the property must be exhaustive');
      assert.equal(r.violation, undefined, `${r.violation?.property} also catches it`);
    });
  }
}
