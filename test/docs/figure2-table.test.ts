// docs/figure2.md is generated from the spec, the machine's comments and the tests' names; the
// committed file must be what the generator makes of them now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { figure2Table, idsIn, implementations, rulesOf } from '../../scripts/figure2-table.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('docs/figure2.md is up to date with the spec, src/machine and the tests (else run npm run figure2)', () => {
  assert.equal(readFileSync(`${root}docs/figure2.md`, 'utf8'), figure2Table(root));
});

test('the table has a row for every rule of the spec, and finds the reducers that quote a rule', () => {
  const rules = rulesOf(readFileSync(`${root}spec/figure2.md`, 'utf8'));
  const table = figure2Table(root);
  for (const { id } of rules) assert.match(table, new RegExp(`^\\| \\*\\*${id.replace('.', '\\.')}\\*\\* \\|`, 'm'));
  const impl = implementations(root);
  assert.ok(impl.get('RV.1')?.includes('`handleRequestVote` (`rules/election.ts`)'), String(impl.get('RV.1')));
  assert.ok(impl.get('C.1')?.includes('`startElection` (`rules/election.ts`)'), String(impl.get('C.1')));
});

test('rule IDs are read singly and as ranges', () => {
  assert.deepEqual(idsIn('the receiver side of AppendEntries, AE.1–AE.3, and S.2'), ['AE.1', 'AE.2', 'AE.3', 'S.2']);
  assert.deepEqual(idsIn('no rule here, version 5.33'), []);
});
