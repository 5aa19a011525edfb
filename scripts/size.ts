// npm run size: the machine's size in a browser bundle, minified and gzipped; fails if the bundle
// needs any Node built-in.
import { commandLine } from './command-line.ts';
import { bundleForBrowser } from './machine-bundle.ts';

commandLine(`usage: npm run size
Bundles src/machine for the browser as an app would (esbuild, ESM, minified, with xstate and
ts-pattern), prints its size minified and gzipped, and exits 1 if the bundle needs a Node built-in.`, {});

const b = await bundleForBrowser();
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`src/machine for the browser (esbuild, ESM, minified, with xstate and ts-pattern): ${b.minifiedBytes} B (${kb(b.minifiedBytes)}) minified, ${b.gzippedBytes} B (${kb(b.gzippedBytes)}) gzipped`);
if (b.nodeBuiltins.length > 0) {
  console.error(`the bundle imports Node built-ins: ${b.nodeBuiltins.join(', ')}`);
  process.exitCode = 1;
} else console.log('Node built-ins in the bundle: none');
