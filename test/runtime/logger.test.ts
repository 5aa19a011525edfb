// stderrLogger writes one JSON object per line at or above its threshold; humanLogLine reads one back for a person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanLogLine, stderrLogger } from '../../src/runtime/logger.ts';

test('JSON lines at or above the threshold, with the fields given, read back by humanLogLine', (t) => {
  const written: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string) => { written.push(chunk); return true; });
  const logger = stderrLogger('info', { node: 7 });
  logger.debug('not shown');
  logger.info('plain');
  logger.warn('with "quotes"\nand a newline');
  t.mock.restoreAll();
  assert.equal(written.length, 2);
  assert.ok(written.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  const objects = written.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(objects.map(({ time, ...rest }) => rest), [
    { level: 'info', node: 7, msg: 'plain' },
    { level: 'warn', node: 7, msg: 'with "quotes"\nand a newline' },
  ]);
  assert.ok(objects.every((o) => typeof o['time'] === 'string' && !Number.isNaN(Date.parse(o['time']))));
  assert.equal(humanLogLine(written[0]!.trimEnd()), 'node 7: info plain');
  assert.equal(humanLogLine('raft: not json'), 'raft: not json');
});
