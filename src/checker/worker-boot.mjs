// Starts a worker from a TypeScript module. Node 20 does not pass a TypeScript loader on to
// worker threads, so tsx is registered here when the runtime cannot load .ts by itself (a
// failed import is cached, so this must be decided before the first try).
import { workerData } from 'node:worker_threads';

if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
