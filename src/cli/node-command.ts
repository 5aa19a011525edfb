// `raft node`: one Raft node in the foreground, on UDP and file storage. It logs a line per role
// change, term and commit, and proposes each line of its stdin as a command.
import { createInterface } from 'node:readline';
import { deriveStepper, log, nodeId, type LogIndex, type Stepper, type Term } from '../machine/index.ts';
import { FileStorage, WAL_PREALLOCATE_BYTES } from '../runtime/file-storage.ts';
import { stderrLogger } from '../runtime/logger.ts';
import { serveMetrics, type MetricsServer } from '../runtime/metrics.ts';
import { CommandTooLargeError, RaftNode, type Applied, type Timings } from '../runtime/node.ts';
import { TransportError, UdpTransport } from '../runtime/udp-transport.ts';
import { DEFAULT_MAX_COMMAND_BYTES, DEFAULT_MAX_DATAGRAM, MAX_COMMAND_BYTES_LIMIT } from '../runtime/wire-codec.ts';
import { cliCommands, commandOfInput, inputModeFlag, shownCommand } from './command-input.ts';
import type { NodeEvent } from './node-events.ts';
import { nodeMetrics, type NodeView, type ServiceState } from './node-metrics.ts';
import { authenticationFlags, integerFlag, logLevelFlag, parseFlags } from './options.ts';
import { formatPeers, parsePeers } from './peers.ts';
import { UsageError } from './usage-error.ts';

/** A node left running keeps its log, and so its WAL and memory, below about this much. */
const DEFAULT_SNAPSHOT_ENTRIES = 100_000;
const DEFAULT_SNAPSHOT_BYTES = 64 * 1024 * 1024;

export const nodeHelp = `Usage: raft node --id N --peers ID=HOST:PORT,... --data DIR [options]

Runs one Raft node in the foreground. Each line on stdin is proposed as one command (JSON if it
parses as JSON, else the text); the node logs role changes, terms and commits, one line each.
Text input splits on newlines and replaces bytes that are not UTF-8: send binary commands with
--input base64.

Options:
  --id N               this node's id; must be one of --peers
  --peers LIST         every member, this node included: 1=127.0.0.1:7001,2=127.0.0.1:7002,...
                       (IPv6: 1=[::1]:7001); each id once, each with its own address
  --data DIR           data directory (created if missing); holds raft.wal
  --cluster-id N       cluster id in 0..4294967295 (default 1); datagrams and files of another
                       cluster are refused
  --key-file PATH      the cluster's key: every datagram carries an HMAC under it, and any
                       without a good one is dropped. The file's bytes, all of them (at least
                       16; keep it mode 600). Or set RAFT_KEY. Required unless --insecure-no-auth
  --accept-key-file PATH
                       one more key whose datagrams are accepted, never sent with: for rolling
                       the cluster from one key to another without an outage (see the docs)
  --insecure-no-auth   run without a key: anyone who can send from a member's address can move
                       the cluster. Loopback addresses only; logs a warning at start
  --max-datagram N     largest datagram in bytes (default 1400; up to 65507 on loopback)
  --input MODE         text (default): one UTF-8 line, one command; base64: each line is the
                       base64 of a command's bytes (invalid lines are refused, the node goes on)
  --max-command-bytes N
                       largest command in bytes (its JSON text; with --input base64, its bytes
                       + 1); a larger one is refused. Default ${DEFAULT_MAX_COMMAND_BYTES} (1 MiB), at most
                       ${MAX_COMMAND_BYTES_LIMIT}; every node of a cluster needs the same value. A command
                       larger than a datagram is sent in chunks.
  --json               print events as JSON lines on stdout (for programs)
  --print-applied      also print every applied command (base64 with --input base64)
  --log-level LEVEL    debug, info (default), warn or error: JSON lines on stderr
  --metrics-port P     serve Prometheus metrics at http://HOST:P/metrics, HOST being this
                       node's address in --peers (default: no endpoint)
  --snapshot-entries N compact the log into a snapshot every N applied commands (default
                       ${DEFAULT_SNAPSHOT_ENTRIES}; 0: never by count)
  --snapshot-bytes N   ... or once the commands applied since the last snapshot take N bytes
                       (default ${DEFAULT_SNAPSHOT_BYTES}; 0: never by size)
  -h, --help           this text
`;

const options = {
  id: { type: 'string' },
  peers: { type: 'string' },
  data: { type: 'string' },
  'cluster-id': { type: 'string' },
  'key-file': { type: 'string' },
  'accept-key-file': { type: 'string' },
  'insecure-no-auth': { type: 'boolean' },
  'max-datagram': { type: 'string' },
  input: { type: 'string' },
  'max-command-bytes': { type: 'string' },
  json: { type: 'boolean' },
  'print-applied': { type: 'boolean' },
  'log-level': { type: 'string' },
  'metrics-port': { type: 'string' },
  'snapshot-entries': { type: 'string' },
  'snapshot-bytes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Timings for a LAN or loopback: elections settle in well under a second. */
export const udpTimings: Timings = { electionTimeoutMs: { min: 300, max: 600 }, heartbeatIntervalMs: 50 };

const COMMIT_LOG_INTERVAL_MS = 200;

export async function runNode(args: string[]): Promise<void> {
  const flags = parseFlags(args, options);
  if (flags.help) {
    process.stdout.write(nodeHelp);
    return;
  }
  const id = nodeId(integerFlag('id', flags.id, 1, 0xffffffff));
  if (flags.peers === undefined) throw new UsageError('--peers is required');
  const addresses = parsePeers(flags.peers);
  if (!addresses.has(id)) throw new UsageError(`--id ${id} is not one of the --peers (${[...addresses.keys()].join(', ')})`);
  if (flags.data === undefined) throw new UsageError('--data is required');
  const clusterId = integerFlag('cluster-id', flags['cluster-id'], 0, 0xffffffff, 1);
  const maxDatagramBytes = integerFlag('max-datagram', flags['max-datagram'], 192, 65_507, DEFAULT_MAX_DATAGRAM);
  const input = inputModeFlag(flags.input);
  const auth = authenticationFlags({
    keyFile: flags['key-file'], acceptKeyFile: flags['accept-key-file'], insecureNoAuth: flags['insecure-no-auth'] === true, host: addresses.get(id)!.host,
  });
  const keyed = 'key' in auth;
  const maxCommand = integerFlag('max-command-bytes', flags['max-command-bytes'], 1, MAX_COMMAND_BYTES_LIMIT, DEFAULT_MAX_COMMAND_BYTES);
  const metricsPort = flags['metrics-port'] === undefined ? undefined : integerFlag('metrics-port', flags['metrics-port'], 0, 65_535);
  const snapshotEntries = integerFlag('snapshot-entries', flags['snapshot-entries'], 0, Number.MAX_SAFE_INTEGER, DEFAULT_SNAPSHOT_ENTRIES) || Infinity;
  const snapshotBytes = integerFlag('snapshot-bytes', flags['snapshot-bytes'], 0, Number.MAX_SAFE_INTEGER, DEFAULT_SNAPSHOT_BYTES) || Infinity;
  const logger = stderrLogger(logLevelFlag(flags['log-level']), { node: id });
  for (const warning of auth.warnings) logger.warn(warning);
  const json = flags.json === true;
  const printApplied = flags['print-applied'] === true;
  // The first line of an event-loop turn leaves at once: an ack waits for no AppendEntries the
  // node sends after it (each send may wake a peer that takes this core). The turn's later lines
  // leave together at its end: under load a write per ack costs more than the ack.
  let out: string[] | null = null;
  const flush = () => {
    if (out !== null && out.length > 0) process.stdout.write(out.join(''));
    out = null;
  };
  const emit = (e: NodeEvent, human: string) => {
    const line = json ? `${JSON.stringify(e)}\n` : `${new Date().toISOString().slice(11, 23)} node ${id} ${human}\n`;
    if (out !== null) {
      out.push(line);
      return;
    }
    process.stdout.write(line);
    out = [];
    setImmediate(flush);
  };

  // The port first: a start that fails on a port in use has then touched nothing on disk.
  const transport = await UdpTransport.open({
    self: id, addresses, clusterId, maxDatagramBytes, maxCommandBytes: maxCommand, logger, commands: cliCommands,
    ...(keyed ? { key: auth.key, acceptedKeys: auth.acceptedKeys } : { insecureNoAuth: true }),
  });
  let storage: FileStorage;
  try {
    storage = await FileStorage.open({ dir: flags.data, clusterId, nodeId: id, logger, commands: cliCommands, preallocateBytes: WAL_PREALLOCATE_BYTES });
  } catch (err) {
    transport.close();
    throw err;
  }

  // The node's role, term and indices, seen through the machine it steps: the view the log lines report.
  let shown = null as NodeView | null;
  let current = null as NodeView | null;
  /** The machine's log starts after this index: what is in memory is the log past it. */
  let compactedThrough = 0;
  let commitTimer: NodeJS.Timeout | null = null;
  const report = () => {
    if (current === null) return;
    const s = current;
    if (shown === null || s.role !== shown.role || s.term !== shown.term) {
      emit({ event: 'status', ...s }, `${s.role}, term ${s.term}`);
    } else if (s.commitIndex !== shown.commitIndex || s.logLength !== shown.logLength) {
      if (json || s.commitIndex !== shown.commitIndex) emit({ event: 'status', ...s }, `commit ${s.commitIndex}, log ${s.logLength}`);
    }
    shown = s;
  };
  const machine = deriveStepper();
  const stepper: Stepper = (node, event) => {
    const r = machine(node, event);
    current = { role: r.role, term: r.state.currentTerm, commitIndex: r.state.commitIndex, logLength: log.lastIndex(r.state.log) };
    compactedThrough = r.state.log.snapshotIndex;
    if (shown === null || r.role !== shown.role || r.state.currentTerm !== shown.term) report();
    else commitTimer ??= setTimeout(() => { commitTimer = null; report(); }, COMMIT_LOG_INTERVAL_MS);
    return r;
  };

  // The service `raft node` runs keeps no state beyond the stream it prints, so its snapshot is where
  // that stream stands: the last index applied, and the commands and bytes applied up to it. The log
  // before it can then go, which keeps the WAL and the memory of a node left running bounded.
  // Updated in place on every apply: an object per command would be garbage on the hot path.
  const service = { index: 0, commands: 0, bytes: 0 };
  let snapshotAt: ServiceState = { ...service };
  const pending = new Map<number, { line: number; term: Term }>();
  const apply = (a: Applied) => {
    if (a.type === 'snapshot') {
      snapshotAt = decodeServiceState(a.data, a.index);
      Object.assign(service, snapshotAt);
      if (printApplied) emit({ event: 'snapshot', index: a.index, term: a.term }, `snapshot through index ${a.index}`);
      return;
    }
    service.index = a.index;
    service.commands++;
    service.bytes += cliCommands.encode(a.command).length;
    if (service.commands - snapshotAt.commands >= snapshotEntries || service.bytes - snapshotAt.bytes >= snapshotBytes) {
      snapshotAt = { ...service };
      node.snapshot(a.index, encodeServiceState(snapshotAt));
    }
    if (printApplied) {
      const command = shownCommand(a.command, input);
      emit({ event: 'applied', index: a.index, term: a.term, command }, `applied ${a.index}: ${input === 'base64' ? command : JSON.stringify(command)}`);
    }
    const p = pending.get(a.index);
    if (p === undefined) return;
    pending.delete(a.index);
    if (p.term === a.term) emit({ event: 'ack', line: p.line, index: a.index }, `line ${p.line} committed at index ${a.index}`);
    else emit({ event: 'lost', line: p.line }, `line ${p.line} lost: index ${a.index} holds another leader's entry`);
  };

  let metrics: MetricsServer | null = null;
  // A second call (a second signal, or a signal while a failed save's exit is under way) only raises
  // the exit code: a failed save makes even a requested stop exit 1.
  let exitCode: number | null = null;
  const leave = async (code: number) => {
    const first = exitCode === null;
    exitCode = Math.max(exitCode ?? 0, code);
    if (!first) return;
    metrics?.close();
    await storage.close().catch((err: unknown) => logger.error(`closing the storage: ${err instanceof Error ? err.message : String(err)}`));
    process.exit(exitCode);
  };
  const node = new RaftNode(id, [...addresses.keys()].filter((p) => p !== id), transport, storage, {
    apply,
    timings: udpTimings,
    stepper,
    maxCommandBytes: maxCommand,
    commands: cliCommands,
    onFatal: (err: unknown) => {
      // What was acknowledged stays acknowledged (the last events go out); nothing after the failure is.
      flush();
      logger.error(`stopping: ${err instanceof Error ? err.message : String(err)}`);
      void leave(1);
    },
  });
  if (metricsPort !== undefined) {
    const host = addresses.get(id)!.host;
    const render = () => nodeMetrics({ view: current, applied: service, transport, storage, snapshotIndex: compactedThrough });
    try {
      metrics = await serveMetrics(host, metricsPort, render);
    } catch (err) {
      node.kill();
      await storage.close();
      throw new TransportError(`cannot serve metrics on ${host}:${metricsPort}: ${(err as Error).message}`);
    }
    logger.info(`metrics at http://${host.includes(':') ? `[${host}]` : host}:${metrics.port}/metrics`);
  }
  if (json) emit({ event: 'ready', id, pid: process.pid }, '');
  else logger.info(`listening on ${formatPeers(new Map([[id, addresses.get(id)!]])).slice(String(id).length + 1)}, data in ${flags.data}`);

  let lineNumber = 0;
  createInterface({ input: process.stdin }).on('line', (text) => {
    const line = ++lineNumber;
    if (text.trim() === '') return;
    const c = commandOfInput(text, input);
    if ('invalid' in c) return emit({ event: 'invalid', line, reason: c.invalid }, `line ${line} refused: ${c.invalid}`);
    let r: ReturnType<RaftNode['start']>;
    try {
      r = node.start(c.command);
    } catch (err) {
      if (!(err instanceof CommandTooLargeError)) throw err;
      emit({ event: 'oversized', line, bytes: err.bytes, maxBytes: err.maxBytes }, `line ${line} refused: its command takes ${err.bytes} bytes, more than --max-command-bytes ${err.maxBytes}`);
      return;
    }
    if (r.isLeader) pending.set(r.index, { line, term: r.term });
    else emit({ event: 'rejected', line }, `line ${line} refused: not the leader`);
  });

  // Stop taking work (no more timers, messages or proposals), close the files and sockets, leave. No
  // save is in progress (saves are synchronous) and each was durable when it returned: nothing to flush.
  const stop = (signal: NodeJS.Signals) => {
    logger.info(`${signal}: stopping`);
    node.kill();
    flush();
    void leave(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function encodeServiceState(s: ServiceState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s));
}

/** A snapshot's service state; a snapshot that is not one (another program's) counts from its index. */
function decodeServiceState(data: Uint8Array, index: LogIndex): ServiceState {
  try {
    const s = JSON.parse(new TextDecoder().decode(data)) as Partial<ServiceState>;
    if (s.index === index && Number.isSafeInteger(s.commands) && Number.isSafeInteger(s.bytes)) return { index, commands: s.commands!, bytes: s.bytes! };
  } catch {
    // not ours: fall through
  }
  return { index, commands: 0, bytes: 0 };
}
