// Loaded into `raft node` processes by bench/one-in-flight.bench.ts --timeline (NODE_OPTIONS=--import):
// stamps, on the monotonic clock every process on this machine shares, what a node does on one
// request's path: a read of its stdin (a proposal), each datagram sent and received, each
// fdatasync's start and end, each write to its stdout (an ack). Nothing in src/ knows of it: it
// wraps the Node calls the node makes. Written at exit to $RAFT_TIMELINE_DIR/node-<id>.json.
import dgram from 'node:dgram';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';

const dir = process.env['RAFT_TIMELINE_DIR'];
const id = process.argv[process.argv.indexOf('--id') + 1];
if (dir !== undefined && process.argv.includes('node') && id !== undefined) {
  /** [microseconds, what]: 'in', 'out', 'send', 'recv', 'sync0', 'sync1'. */
  const stamps = [];
  const stamp = (what) => stamps.push([Number(process.hrtime.bigint() / 1000n), what]);

  const { send, emit } = dgram.Socket.prototype;
  dgram.Socket.prototype.send = function (...args) {
    stamp('send');
    return send.apply(this, args);
  };
  dgram.Socket.prototype.emit = function (event, ...args) {
    if (event === 'message') stamp('recv');
    return emit.call(this, event, ...args);
  };
  const { fdatasyncSync } = fs;
  fs.fdatasyncSync = (fd) => {
    stamp('sync0');
    fdatasyncSync(fd);
    stamp('sync1');
  };
  syncBuiltinESMExports();
  // Wrapped, not listened to: a listener of its own would start stdin flowing before the node reads it.
  const emitStdin = process.stdin.emit;
  process.stdin.emit = function (event, ...args) {
    if (event === 'data') stamp('in');
    return emitStdin.call(this, event, ...args);
  };
  const write = process.stdout.write;
  process.stdout.write = function (...args) {
    stamp('out');
    return write.apply(this, args);
  };
  process.on('exit', () => fs.writeFileSync(join(dir, `node-${id}.json`), JSON.stringify(stamps)));
}
