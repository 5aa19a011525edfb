// src/machine bundled for the browser as an app would ship it (esbuild, ESM, minified), with a
// record of every Node built-in the bundle would need. There must be none: the machine promises
// to run wherever JavaScript runs. Used by `npm run size` and test/embedding/bundle.test.ts.
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

export interface Bundle {
  readonly code: string;
  /** Node built-ins something in the bundle imports: left out of it, they would fail in a browser. */
  readonly nodeBuiltins: readonly string[];
  readonly minifiedBytes: number;
  readonly gzippedBytes: number;
}

export const machineEntry = new URL('../src/machine/index.ts', import.meta.url).pathname;

export async function bundleForBrowser(entry: string = machineEntry): Promise<Bundle> {
  const seen = new Set<string>();
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!builtins.has(args.path) && !args.path.startsWith('node:')) return undefined;
        seen.add(`${args.path} (from ${args.importer.replace(/.*\/(src|scripts|examples)\//, '$1/')})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
    write: false, logLevel: 'silent', plugins: [recordBuiltins],
  });
  const code = result.outputFiles[0]!.text;
  return { code, nodeBuiltins: [...seen].sort(), minifiedBytes: Buffer.byteLength(code), gzippedBytes: gzipSync(code, { level: 9 }).length };
}
