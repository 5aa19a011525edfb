// The Prometheus text format as src/runtime/metrics.ts writes it: cumulative buckets, +Inf equal to
// the count, escaped label values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, prometheusText } from '../../src/runtime/metrics.ts';

test('a histogram counts each observation in its bucket and every bucket above, +Inf holding all', () => {
  const h = new Histogram([0.001, 0.01, 0.1]);
  for (const v of [0.0005, 0.001, 0.002, 0.05, 3]) h.observe(v);
  assert.deepEqual(h.buckets(), [['0.001', 2], ['0.01', 3], ['0.1', 4], ['+Inf', 5]]);
  assert.equal(h.count, 5);
  assert.equal(h.sum, 0.0005 + 0.001 + 0.002 + 0.05 + 3);
});

test('the exposition text: HELP and TYPE, labels with quotes, backslashes and newlines escaped, histogram series', () => {
  const h = new Histogram([1]);
  h.observe(0.5);
  const text = prometheusText(
    [{ name: 'x_total', help: 'An x.', type: 'counter', samples: [{ labels: { peer: 2, why: 'a "b"\\c\nd' }, value: 7 }, { value: 1 }] }],
    [{ name: 'y_seconds', help: 'A y.', histogram: h }],
  );
  assert.equal(text, [
    '# HELP x_total An x.', '# TYPE x_total counter', 'x_total{peer="2",why="a \\"b\\"\\\\c\\nd"} 7', 'x_total 1',
    '# HELP y_seconds A y.', '# TYPE y_seconds histogram', 'y_seconds_bucket{le="1"} 1', 'y_seconds_bucket{le="+Inf"} 1', 'y_seconds_sum 0.5', 'y_seconds_count 1',
  ].join('\n') + '\n');
});
