// A flood of malformed datagrams from another thread (its own event loop, its own socket, so its
// source address is no member's): what a hostile or broken process on the network sends.
import { Worker } from 'node:worker_threads';
import { WIRE_VERSION } from '../../src/runtime/wire-codec.ts';

export interface Flood {
  /** Stops sending; resolves to the number of datagrams sent. */
  stop(): Promise<number>;
}

// Plain JavaScript, so the worker needs no loader. Three kinds of garbage in turn: random bytes, a
// header of this cluster followed by random bytes (passes any check of the header alone), and a
// header claiming an AppendEntries of a huge entry count from node 1 to node 2.
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { host, port, clusterId, version } = workerData;
const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
const header = (type) => { const b = Buffer.alloc(6); b[0] = version; b.writeUInt32LE(clusterId >>> 0, 1); b[5] = type; return b; };
const kinds = [
  () => require('node:crypto').randomBytes(64),
  () => Buffer.concat([header(3), require('node:crypto').randomBytes(120)]),
  () => Buffer.concat([header(3), Buffer.from([1, 2, 5, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.alloc(200, 7)]),
];
const pool = Array.from({ length: 30 }, (_, i) => kinds[i % kinds.length]());
let sent = 0;
let stopped = false;
parentPort.on('message', () => { stopped = true; });
const burst = () => {
  if (stopped) { socket.close(() => parentPort.postMessage(sent)); return; }
  for (let i = 0; i < 200; i++) socket.send(pool[sent++ % pool.length], port, host);
  setImmediate(burst);
};
socket.bind(0, host, burst);
`;

export function startFlood(target: { host: string; port: number }, clusterId: number): Flood {
  const worker = new Worker(SENDER, { eval: true, workerData: { ...target, clusterId, version: WIRE_VERSION } });
  return {
    stop: () => new Promise<number>((done, fail) => {
      worker.once('message', (sent: number) => { void worker.terminate(); done(sent); });
      worker.once('error', fail);
      worker.postMessage('stop');
    }),
  };
}
