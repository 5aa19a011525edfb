// npm run viewer: builds the viewer into viewer/dist and serves it on localhost.
//   npm run viewer -- --port 8080      (default 8080; 0 picks a free port)
import { commandLine, wholeNumber } from './command-line.ts';
import { buildViewer, defaultOutDir, serveDirectory } from './viewer-site.ts';

const values = commandLine(`usage: npm run viewer [-- --port P]
Builds the viewer (a live cluster, the statechart and counterexample replay; docs/viewer.md) into
viewer/dist and serves it on 127.0.0.1 until Ctrl-C.
  --port P   the port to serve on (default 8080; 0 picks a free one)`, { port: { type: 'string' } });
const port = wholeNumber('port', values.port, { min: 0, max: 65535, fallback: 8080 });
await buildViewer();
const served = await serveDirectory(defaultOutDir, port);
console.log(`raft-ts viewer:  ${served.url}\nworker example:  ${served.url}worker/\n(static files in viewer/dist; Ctrl-C stops)`);
