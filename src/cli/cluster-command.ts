// `raft cluster`: a local cluster on loopback, each node a child process (`raft node --json`) with
// its own data directory, and a live table of what each node reports. Lines typed are proposed to
// the leader; `kill N` sends SIGKILL (a crash), `restart N` starts the node again from its disk.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { crc32, nodeId, type NodeId } from '../machine/index.ts';
import { humanLogLine } from '../runtime/logger.ts';
import type { PeerAddress } from '../runtime/udp-transport.ts';
import type { NodeEvent } from './node-events.ts';
import { NodeProcess } from './node-process.ts';
import { integerFlag, parseFlags } from './options.ts';
import { formatPeers } from './peers.ts';
import { UsageError } from './usage-error.ts';

export const clusterHelp = `Usage: raft cluster [--nodes 3|5] [options]

Starts a local cluster on loopback, one child process per node, and shows a live table of each
node's role, term, log length and commit index. Type a line to propose it to the leader, or:
  kill N      kill node N with SIGKILL (a crash: nothing is flushed)
  restart N   start node N again; it recovers from its data directory
  help        these commands
  quit        stop every node and exit (Ctrl-C does the same)

Options:
  --nodes N          cluster size, 1..9 (default 3)
  --base-port P      node i listens on UDP port P + i - 1 (default 7001)
  --host ADDR        loopback address: 127.0.0.1 (default) or ::1
  --data DIR         parent of the nodes' data directories DIR/1, DIR/2, ...; give the same DIR
                     again to start the cluster from its disks (default: a new temporary
                     directory, named in the first line printed)
  --cluster-id N     default: derived from the data directory's path, so two clusters differ
  --key-file PATH    the cluster's key (or set RAFT_KEY). Default: DIR/cluster.key, made with
                     32 random bytes and mode 600 if missing; the nodes get its path, not the key
  --insecure-no-auth run the nodes without a key (each logs a warning)
  -h, --help         this text
`;

/** The key `raft cluster` makes for its nodes, in its data directory. */
export const CLUSTER_KEY_FILE = 'cluster.key';

const options = {
  nodes: { type: 'string' },
  'base-port': { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'cluster-id': { type: 'string' },
  'key-file': { type: 'string' },
  'insecure-no-auth': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * DIR/cluster.key, made on first use: the key stays out of every command line (`ps` shows the
 * path), and a cluster restarted on the same directory finds the key its nodes already share.
 */
async function clusterKeyFile(dataDir: string): Promise<string> {
  const path = join(dataDir, CLUSTER_KEY_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, new Uint8Array(randomBytes(32)), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`cannot write the cluster key ${path}: ${(err as Error).message}`);
  }
  return path;
}

interface Member {
  readonly id: NodeId;
  child: NodeProcess | null;
  state: 'starting' | 'running' | 'killed' | 'exited';
  status: Extract<NodeEvent, { event: 'status' }> | null;
  /** What each line written to this incarnation's stdin proposed. */
  readonly proposals: Map<number, string>;
}

export async function runCluster(args: string[]): Promise<void> {
  const flags = parseFlags(args, options);
  if (flags.help) {
    process.stdout.write(clusterHelp);
    return;
  }
  const size = integerFlag('nodes', flags.nodes, 1, 9, 3);
  const basePort = integerFlag('base-port', flags['base-port'], 1, 65535 - size + 1, 7001);
  const host = flags.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') throw new UsageError(`--host must be a loopback address (127.0.0.1 or ::1), got "${host}"`);
  // Never the working directory by default: run from a checkout, ./data would show up as untracked.
  const dataDir = flags.data === undefined ? mkdtempSync(join(tmpdir(), 'raft-cluster-')) : resolve(flags.data);
  const where = `data in ${dataDir}${flags.data === undefined ? ' (a new temporary directory; --data DIR chooses one)' : ''}`;
  const clusterId = integerFlag('cluster-id', flags['cluster-id'], 0, 0xffffffff, crc32(new TextEncoder().encode(dataDir)));
  const addresses = new Map<NodeId, PeerAddress>(Array.from({ length: size }, (_, i) => [nodeId(i + 1), { host, port: basePort + i }]));
  const peers = formatPeers(addresses);
  if (flags['insecure-no-auth'] === true && (flags['key-file'] !== undefined || process.env['RAFT_KEY'])) {
    throw new UsageError(`--insecure-no-auth with a key (${flags['key-file'] !== undefined ? '--key-file' : 'RAFT_KEY'}): choose one`);
  }
  const passThrough = flags['insecure-no-auth'] === true ? ['--insecure-no-auth']
    : flags['key-file'] !== undefined ? ['--key-file', resolve(flags['key-file'])]
    : process.env['RAFT_KEY'] ? []
    : ['--key-file', await clusterKeyFile(dataDir)];

  const members: Member[] = [...addresses.keys()].map((id) => ({ id, child: null, state: 'exited', status: null, proposals: new Map() }));
  const messages: string[] = [];
  const tty = process.stdout.isTTY === true;
  let rl: Interface | null = null;
  let drawTimer: NodeJS.Timeout | null = null;
  let lastPrinted = '';
  let shuttingDown = false;

  const say = (text: string) => {
    messages.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
    if (messages.length > 8) messages.shift();
    if (!tty) process.stdout.write(`${messages.at(-1)}\n`);
    redraw();
  };

  const table = () => {
    const rows = members.map((m) => {
      const s = m.state === 'running' ? m.status : null;
      return [String(m.id), m.child?.pid?.toString() ?? '-', m.state, s?.role ?? '-', s?.term.toString() ?? '-', s?.logLength.toString() ?? '-', s?.commitIndex.toString() ?? '-'];
    });
    const header = ['node', 'pid', 'process', 'role', 'term', 'log', 'commit'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
  };

  function redraw(): void {
    if (drawTimer !== null || shuttingDown) return;
    drawTimer = setTimeout(() => {
      drawTimer = null;
      const t = table();
      if (tty) {
        process.stdout.write('\x1b[H\x1b[2J');
        process.stdout.write(`${heading}\n\n${t}\n\n`);
        process.stdout.write(`${messages.join('\n')}\n\ntype a command to propose it, or: kill N | restart N | help | quit\n`);
        rl?.prompt(true);
      } else if (t !== lastPrinted) {
        process.stdout.write(`${t}\n`);
      }
      lastPrinted = t;
    }, tty ? 100 : 1000);
  }

  function start(m: Member): void {
    m.state = 'starting';
    m.status = null;
    m.proposals.clear();
    const child: NodeProcess = new NodeProcess({
      id: m.id, peers, dataDir: resolve(dataDir, String(m.id)), clusterId, flags: passThrough,
      onEvent: (e) => {
        if (m.child !== child) return;
        if (e.event === 'ready') m.state = 'running';
        else if (e.event === 'status') {
          if (m.status?.role !== e.role && e.role === 'leader') say(`node ${m.id} is leader in term ${e.term}`);
          m.status = e;
        } else if (e.event === 'ack') say(`node ${m.id}: "${m.proposals.get(e.line)}" committed at index ${e.index}`);
        else if (e.event === 'rejected') say(`node ${m.id}: "${m.proposals.get(e.line)}" refused, not the leader; try again`);
        else if (e.event === 'lost') say(`node ${m.id}: "${m.proposals.get(e.line)}" lost to another leader's entry; try again`);
        else if (e.event === 'oversized') say(`node ${m.id}: command refused, ${e.bytes} bytes is more than the maximum of ${e.maxBytes}`);
        if (e.event === 'ack' || e.event === 'rejected' || e.event === 'lost' || e.event === 'oversized') m.proposals.delete(e.line);
        redraw();
      },
      onStderr: (line) => say(humanLogLine(line)),
      onExit: (code, signal) => {
        if (m.child !== child) return;
        m.child = null;
        if (m.state !== 'killed') {
          m.state = 'exited';
          if (!shuttingDown) say(`node ${m.id} exited (${signal ?? `code ${code}`})`);
        }
        redraw();
      },
    });
    m.child = child;
  }

  function command(text: string): void {
    const [verb, arg] = text.trim().split(/\s+/, 2);
    const target = () => {
      const m = members.find((x) => String(x.id) === arg);
      if (m === undefined) say(`no node "${arg ?? ''}": nodes are 1..${size}`);
      return m;
    };
    if (verb === undefined || verb === '') return;
    if (verb === 'quit' || verb === 'exit') return void shutdown();
    if (verb === 'help') return say('commands: TEXT (propose) | kill N | restart N | quit');
    if (verb === 'kill') {
      const m = target();
      if (m === undefined) return;
      if (m.child === null) return say(`node ${m.id} is not running`);
      m.state = 'killed';
      void m.child.kill();
      return say(`node ${m.id} killed with SIGKILL`);
    }
    if (verb === 'restart') {
      const m = target();
      if (m === undefined) return;
      const old = m.child;
      m.state = 'killed';
      // The old process must be gone before the new one binds its port.
      void (old?.kill() ?? Promise.resolve()).then(() => start(m));
      return say(`node ${m.id} restarting from ${resolve(dataDir, String(m.id))}`);
    }
    const leader = members
      .filter((m) => m.child !== null && m.status?.role === 'leader')
      .sort((a, b) => b.status!.term - a.status!.term)[0];
    if (leader === undefined) return say('no leader right now; try again in a moment');
    leader.proposals.set(leader.child!.propose(text), text);
  }

  async function shutdown(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    rl?.close();
    await Promise.all(members.map((m) => m.child?.stop()));
    process.stdout.write(`\n${table()}\nall nodes stopped; data kept in ${dataDir} (raft cluster --data ${dataDir} starts from it again)\n`);
    process.exit(0);
  }

  const heading = `raft cluster: ${size} nodes on ${host}, ports ${basePort}-${basePort + size - 1}, ${where}`;
  if (!tty) process.stdout.write(`${heading}\n`);
  members.forEach(start);
  rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, prompt: '> ' });
  rl.on('line', command);
  rl.on('SIGINT', () => void shutdown());
  if (!tty) rl.on('close', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  redraw();
}
