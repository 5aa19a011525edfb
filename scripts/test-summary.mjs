// The node:test reporter of `npm test`: Node's dot reporter (progress, then each failure's
// details), closed by what a person wants to know: how many tests ran, passed, failed and were
// skipped, why each skipped one was skipped, which ones failed, and the notes tests leave
// (t.diagnostic, for example the packed tarball's size). Plain JavaScript: Node loads test
// reporters before the --import tsx hook is in place.
import { relative } from 'node:path';
import { dot } from 'node:test/reporters';

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* dotAndSummary(source) {
  let passed = 0;
  const failed = [];
  const skipped = [];
  const notes = [];
  const where = (d) => (d.file === undefined ? d.name : d.name === d.file ? relative(process.cwd(), d.file) : `${relative(process.cwd(), d.file)} › ${d.name}`);
  const reason = (r) => (r === true ? 'no reason given' : r);
  const record = ({ type, data }) => {
    if (type === 'test:diagnostic' && data.file !== undefined) notes.push(`${relative(process.cwd(), data.file)}: ${data.message}`);
    // Suites are counted by their tests; a file that fails outside any test counts as one failure.
    if ((type !== 'test:pass' && type !== 'test:fail') || data.details?.type === 'suite') return;
    if (type === 'test:fail') failed.push(where(data));
    else if (data.skip !== undefined && data.skip !== false) skipped.push(`${where(data)}: ${reason(data.skip)}`);
    else if (data.todo !== undefined && data.todo !== false) skipped.push(`${where(data)} (todo): ${reason(data.todo)}`);
    else passed++;
  };
  yield* dot((async function* () {
    for await (const event of source) {
      record(event);
      yield event;
    }
  })());
  const section = (title, items) => (items.length === 0 ? [] : [`${title}:`, ...items.map((i) => `  ${i}`)]);
  yield [
    '',
    `${passed + failed.length + skipped.length} tests: ${passed} passed, ${failed.length} failed, ${skipped.length} skipped`,
    ...section('failed', failed),
    ...section('skipped', skipped),
    ...section('notes', notes),
  ].join('\n') + '\n';
}
