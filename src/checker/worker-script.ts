// The code a search's worker threads run: the worker loop (parallel-worker or swarm-worker, beside
// this file) and the model's module. Compiled JavaScript (the published package's dist/) needs no
// build step: the script is a two-line module that imports both. TypeScript sources (the
// repository, run through tsx) are bundled into one plain JavaScript file with esbuild, so a worker
// starts by loading compiled code, not a TypeScript loader. Bundles are cached by content in the
// system's temporary directory, so a changed source makes a new file and an unchanged one is built
// once and reused. Beside each (entry, module) pair's latest bundle lies the list of its source
// files with their sizes and modification times: while none has changed, the bundle is reused
// without running esbuild at all (starting esbuild and bundling took 60 to 230 ms of a search's start).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The latest bundle of an (entry, module) pair and the source files it was built from. */
interface Manifest { readonly bundle: string; readonly inputs: readonly { readonly path: string; readonly size: number; readonly mtimeMs: number }[] }

/** A URL for a worker that serves the worker loop `worker`'s serveWorker with the exports of `module`. */
export async function workerScript(worker: 'parallel-worker' | 'swarm-worker', module: string): Promise<URL> {
  // The worker loops are compiled or not together with this file, so they share its extension.
  const entry = new URL(`./${worker}${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  const moduleUrl = module.startsWith('file:') ? new URL(module) : pathToFileURL(module);
  if (isJavaScript(entry) && isJavaScript(moduleUrl)) {
    const code = `import { serveWorker } from ${JSON.stringify(entry.href)};\nimport * as exports from ${JSON.stringify(moduleUrl.href)};\nserveWorker(exports);\n`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  return bundle(entry, moduleUrl);
}

const isJavaScript = (url: URL) => /\.[cm]?js$/.test(url.pathname);

async function bundle(entry: URL, module: URL): Promise<URL> {
  const dir = join(tmpdir(), 'raft-ts-checker');
  const manifestFile = join(dir, `manifest-${createHash('sha256').update(`${entry.href}\0${module.href}`).digest('hex').slice(0, 20)}.json`);
  const cached = upToDate(manifestFile);
  if (cached !== undefined) return pathToFileURL(cached);

  const { build } = await import('esbuild').catch((err: unknown) => {
    throw new Error(`worker threads load a TypeScript model (${module.href}) by bundling it with esbuild, which is not installed: compile the model to JavaScript or install esbuild`, { cause: err });
  });
  const resolveDir = fileURLToPath(new URL('.', entry));
  const result = await build({
    stdin: {
      contents: `import { serveWorker } from ${JSON.stringify(fileURLToPath(entry))};\nimport * as exports from ${JSON.stringify(fileURLToPath(module))};\nserveWorker(exports);\n`,
      resolveDir,
      loader: 'js',
    },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent', metafile: true,
  });
  const code = result.outputFiles[0]!.text;
  const file = join(dir, `worker-${createHash('sha256').update(code).digest('hex').slice(0, 20)}.mjs`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) writeAtomically(file, code);
  // esbuild names inputs relative to the working directory.
  const inputs = Object.keys(result.metafile.inputs).filter((p) => p !== '<stdin>').map((p) => {
    const absolute = resolve(p);
    const { size, mtimeMs } = statSync(absolute);
    return { path: absolute, size, mtimeMs };
  });
  writeAtomically(manifestFile, JSON.stringify({ bundle: file, inputs } satisfies Manifest));
  return pathToFileURL(file);
}

/** The manifest's bundle if it and every source it lists are as they were, else undefined. */
function upToDate(manifestFile: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (!existsSync(manifest.bundle)) return undefined;
    for (const input of manifest.inputs) {
      const { size, mtimeMs } = statSync(input.path);
      if (size !== input.size || mtimeMs !== input.mtimeMs) return undefined;
    }
    return manifest.bundle;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}
