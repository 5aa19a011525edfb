// The code a search's worker threads run: the worker loop and the model's module bundled into
// one plain JavaScript file with esbuild, so a worker starts by loading compiled code, not a
// TypeScript loader. Bundles are cached by content in the system's temporary directory, so a
// changed source makes a new file and an unchanged one is built once and reused.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A file URL for a worker that serves `entry`'s serveWorker with the exports of `module`. */
export async function workerScript(entry: URL, module: string): Promise<URL> {
  const { build } = await import('esbuild');
  const path = (u: string) => (u.startsWith('file:') ? fileURLToPath(u) : u);
  const result = await build({
    stdin: {
      contents: `import { serveWorker } from ${JSON.stringify(path(entry.href))};\nimport * as exports from ${JSON.stringify(path(module))};\nserveWorker(exports);\n`,
      resolveDir: fileURLToPath(new URL('.', entry)),
      loader: 'js',
    },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const dir = join(tmpdir(), 'raft-ts-checker');
  const file = join(dir, `worker-${createHash('sha256').update(code).digest('hex').slice(0, 20)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}
