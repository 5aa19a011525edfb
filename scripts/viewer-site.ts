// Builds the viewer and the Web Worker example into static files (esbuild; everything bundled,
// nothing fetched from elsewhere, so the pages work offline) and serves a directory on localhost.
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
export const defaultOutDir = join(root, 'viewer/dist');

export async function buildViewer(outDir: string = defaultOutDir): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'worker'), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: {
      viewer: 'viewer/ui/main.ts',
      'worker/main': 'examples/worker/main.ts',
      'worker/worker': 'examples/worker/worker.ts',
    },
    outdir: outDir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    minify: true, sourcemap: true, loader: { '.svg': 'text', '.md': 'text' }, logLevel: 'warning',
  });
  copyFileSync(join(root, 'viewer/ui/index.html'), join(outDir, 'index.html'));
  copyFileSync(join(root, 'viewer/ui/style.css'), join(outDir, 'style.css'));
  copyFileSync(join(root, 'examples/worker/index.html'), join(outDir, 'worker/index.html'));
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml',
};

export interface Served { readonly url: string; close(): Promise<void> }

/** Serves `dir` on 127.0.0.1 (port 0: any free one). */
export function serveDirectory(dir: string, port = 0): Promise<Served> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${bound}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
