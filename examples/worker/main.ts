// Starts the conformance worker and shows its verdict; the browser test reads #verdict.
import type { ConformanceReport } from '../conformance-scenario.ts';

const verdict = document.getElementById('verdict')!;
const list = document.getElementById('checks')!;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.addEventListener('message', (e: MessageEvent<ConformanceReport>) => {
  const report = e.data;
  verdict.textContent = `conformance in a Web Worker: ${report.passed ? 'PASS' : 'FAIL'} (${report.checks.filter((c) => c.ok).length}/${report.checks.length} checks)`;
  verdict.dataset['passed'] = String(report.passed);
  list.replaceChildren(...report.checks.map((c) => Object.assign(document.createElement('li'), { textContent: `${c.ok ? 'ok' : 'FAIL'} ${c.what}: ${c.detail}` })));
  worker.terminate();
});
worker.addEventListener('error', (e) => {
  verdict.textContent = `the worker failed: ${e.message}`;
  verdict.dataset['passed'] = 'false';
});
