// npm run viewer: builds the viewer into viewer/dist and serves it on localhost.
//   npm run viewer -- --port 8080      (default 8080; 0 picks a free port)
import { parseArgs } from 'node:util';
import { buildViewer, defaultOutDir, serveDirectory } from './viewer-site.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
await buildViewer();
const served = await serveDirectory(defaultOutDir, Number(values.port));
console.log(`raft-ts viewer:  ${served.url}\nworker example:  ${served.url}worker/\n(static files in viewer/dist; Ctrl-C stops)`);
