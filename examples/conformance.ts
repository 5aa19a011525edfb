// The conformance program for a command-line runtime: Node (npx tsx), Bun and Deno run this very
// file, unchanged. It prints each check and exits 0 only if all pass.
//   npx tsx examples/conformance.ts | bun examples/conformance.ts | deno run --allow-read --allow-env examples/conformance.ts
import { runConformance } from './conformance-scenario.ts';

declare const Deno: { exit(code: number): never } | undefined;
declare const process: { exitCode?: number; versions: Record<string, string | undefined> } | undefined;

const report = runConformance();
const runtime = typeof Deno !== 'undefined' ? 'deno' : process?.versions.bun !== undefined ? 'bun' : 'node';
for (const c of report.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.what}: ${c.detail}`);
console.log(`conformance on ${runtime}: ${report.passed ? 'PASS' : 'FAIL'} (${report.checks.filter((c) => c.ok).length}/${report.checks.length} checks)`);
if (!report.passed) {
  if (typeof Deno !== 'undefined') Deno.exit(1);
  else if (process !== undefined) process.exitCode = 1;
}
