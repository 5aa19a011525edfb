// The Transport between processes: one UDP socket per node (IPv4 or IPv6), one wire-codec datagram
// per message or message piece. Whatever arrives is validated before the node sees it; a datagram
// that fails is dropped, counted and logged at debug level, and the node keeps running. Hostile
// traffic must cost little, or a flood starves the members' datagrams and timers. Each peer has a
// socket of its own, bound to this node's address and connected to the peer's, so the kernel queues
// the peer's datagrams apart from everyone else's and libuv reads each socket in turn (up to 32
// datagrams per socket per event-loop turn): a flood from a stranger, or from a forged member
// address, fills only its own queue and takes only its own share of the loop. Whatever is left
// arrives at the node's unconnected socket: a datagram from an address that is no peer's is dropped
// there before anything else is done with it, and one that claims a sender other than the peer at
// its source address is dropped too. Strangers share a budget (a token bucket); once it is spent
// the unconnected socket is closed for a while, so the kernel drops their datagrams without waking
// the node at all, while the members' connected sockets go on. Those checks hold even without a
// key, but a source address is easy to forge, so a transport is keyed unless its user says
// otherwise: an HMAC tag under the cluster's key is what keeps an outsider from moving the cluster.
// Drops for authentication are counted by reason and reported in one warning line per interval,
// so a flood of forgeries is seen without flooding the log. A send the kernel refuses for
// a reason that will not go away (EMSGSIZE and the like) is logged as an error: every retry would
// fail the same way.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CommandCodec, Message, NodeId } from '../machine/index.ts';
import { ChunkAssembler } from './chunk-assembler.ts';
import { silentLogger, type Logger } from './logger.ts';
import { TokenBucket } from './token-bucket.ts';
import type { Transport } from './transport.ts';
import { DEFAULT_MAX_COMMAND_BYTES, createWireCodec, type WireCodec } from './wire-codec.ts';

/** A member's UDP endpoint: an IPv4 or IPv6 address or a host name (resolved once, at open), and a port. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * What {@link UdpTransport.open} needs: this node's id, every member's address, the cluster id, and a
 * key of at least {@link MIN_KEY_BYTES} bytes unless `insecureNoAuth` is asked for by name.
 */
export interface UdpTransportOptions {
  readonly self: NodeId;
  /** Every member's address, this node's own included (it binds there). */
  readonly addresses: ReadonlyMap<NodeId, PeerAddress>;
  readonly clusterId: number;
  /** Shared secret for HMAC authentication of every datagram (at least 16 bytes); required unless insecureNoAuth. */
  readonly key?: Uint8Array;
  /** Keys also accepted (never sent with) while the cluster rolls from one key to another. */
  readonly acceptedKeys?: readonly Uint8Array[];
  /**
   * No key: datagrams are only checksummed, and anyone who can send from a member's address can
   * move the cluster. Must be asked for by name; refused together with a key. The transport takes
   * it on any address (a host may isolate its network otherwise); `raft node` allows it on
   * loopback only.
   */
  readonly insecureNoAuth?: boolean;
  readonly maxDatagramBytes?: number;
  /** The largest snapshot this node accepts, bounding the memory a sender can tie up. */
  readonly maxSnapshotBytes?: number;
  /** The largest command, sent or accepted (default 1 MiB); one larger than a datagram goes in chunks. */
  readonly maxCommandBytes?: number;
  readonly commands?: CommandCodec;
  readonly logger?: Logger;
  /** Kernel receive buffer to ask for (default 8 MiB; Linux caps it at net.core.rmem_max). */
  readonly receiveBufferBytes?: number;
}

/** A {@link UdpTransport}'s datagram counts since it opened, for diagnostics and tests: all only grow. */
export interface TransportCounters {
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /** Every datagram refused, for authentication or as malformed. */
  readonly dropped: number;
  /** Unknown senders: datagrams from an address that is no peer's, dropped unread. */
  readonly fromStrangers: number;
  /** Times the strangers' budget was spent and the unconnected socket closed for a while. */
  readonly strangersMuted: number;
  /** Datagrams whose tag no accepted key produced: forged, or sent with another key. */
  readonly badMac: number;
  /** Datagrams from a peer's address that claim another sender (or one that is no member). */
  readonly wrongSource: number;
  /** Datagrams the codec refused as damaged or malformed (authentication aside). */
  readonly invalid: number;
  /** Split snapshots or commands refused for claiming more than their limit. */
  readonly tooLarge: number;
  readonly sendErrors: number;
}

/** Why a transport cannot start, in words for the person who started it. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/**
 * Why a datagram was dropped, for the metrics endpoint: from no member's address; claiming another
 * member's id, or a sender that is no member; without a good tag under an accepted key; refused by
 * the codec; a split message larger than allowed.
 */
export type DropReason = 'stranger' | 'impostor' | 'bad_mac' | 'invalid' | 'too_large';

/** Traffic with one peer: Raft messages, and the datagrams and bytes that carried them. */
export interface PeerTraffic {
  messagesSent: number;
  datagramsSent: number;
  bytesSent: number;
  messagesReceived: number;
  datagramsReceived: number;
  bytesReceived: number;
}

/** Kernel socket buffers large enough for a burst of snapshot chunks; Linux caps them at rmem_max/wmem_max. */
const SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Datagrams of a split message sent per event-loop turn: about 22 KiB at the default datagram
 * size, and fewer than the 32 datagrams libuv reads per turn, so even a receiver in the same
 * process keeps up.
 */
const BURST = 16;
/** Commands being reassembled at once per sender: a leader pipelines proposals, so a few may overlap. */
const COMMANDS_PER_SENDER = 4;
/** A split message not completed in this long was lost; its chunks are dropped. */
const REASSEMBLY_IDLE_MS = 10_000;
/**
 * What strangers may cost: no member needs the unconnected socket once its connected one is up,
 * so the budget only has to let a few through to be counted and reported.
 */
const STRANGER_RATE = 1000;
const STRANGER_BURST = 1000;
/** How long the unconnected socket stays closed once the strangers' budget is spent. */
const STRANGER_MUTE_MS = 1000;
/** Drops for authentication are reported in one line per interval: a line each would cost more than the drop. */
const AUTH_REPORT_MS = 10_000;
/** The least key length (bytes) accepted: an HMAC key much shorter than its 32-byte output is guessable. */
export const MIN_KEY_BYTES = 16;
/** Send errors that the same datagram would meet again; the rest (a peer down, a full buffer) pass. */
const PERMANENT_SEND_ERRORS = new Set(['EMSGSIZE', 'EINVAL', 'EACCES', 'EPERM', 'EAFNOSUPPORT', 'EDESTADDRREQ']);

/**
 * The {@link Transport} between processes: one UDP socket per peer plus one for the rest, one
 * wire-codec datagram per message or message piece, every datagram authenticated under the
 * cluster's key (unless insecure) and validated before the node sees it; what fails is dropped and
 * counted, never thrown. Create it with {@link UdpTransport.open}.
 */
export class UdpTransport implements Transport {
  readonly maxCommandBytes: number;
  private handler: ((message: Message) => void) | null = null;
  private closed = false;
  private readonly snapshots: ChunkAssembler;
  private readonly commands: ChunkAssembler;
  /** Split messages being sent, per peer, in the order they were sent. */
  private readonly streams = new Map<NodeId, Stream[]>();
  private readonly counters = { datagramsSent: 0, datagramsReceived: 0, dropped: 0, fromStrangers: 0, strangersMuted: 0, badMac: 0, wrongSource: 0, invalid: 0, tooLarge: 0, sendErrors: 0 };
  /** Per peer, for the metrics endpoint. */
  readonly traffic = new Map<NodeId, PeerTraffic>();
  private readonly strangerBudget = new TokenBucket(STRANGER_RATE, STRANGER_BURST);
  /** The unconnected socket; null while strangers are muted. */
  private shared: dgram.Socket | null;
  private unmuteTimer: NodeJS.Timeout | null = null;
  /**
   * Each peer by the address and port it sends from (its bound address: one socket per node).
   * Keyed by both: members on different hosts commonly share one port.
   */
  private readonly bySource = new Map<string, NodeId>();
  /** Authentication drops already reported, and when the last report went out. */
  private authReported = 0;
  private authReportAt = -Infinity;

  private constructor(
    socket: dgram.Socket,
    /** Where the unconnected socket is bound, to bind it again after a mute. */
    private readonly bound: { readonly port: number; readonly host: string; readonly family: number },
    /** Each peer's connected socket; a peer without one (connect refused) is reached through `socket`. */
    private readonly connected: ReadonlyMap<NodeId, dgram.Socket>,
    private readonly codec: WireCodec,
    private readonly peers: ReadonlyMap<NodeId, PeerAddress>,
    self: NodeId,
    private readonly logger: Logger,
    maxSnapshotBytes: number,
    maxCommandBytes: number,
  ) {
    this.maxCommandBytes = maxCommandBytes;
    // A newer snapshot replaces the one being received: one at a time per sender.
    this.snapshots = new ChunkAssembler({ maxBytes: maxSnapshotBytes, transfersPerSender: 1, idleMs: REASSEMBLY_IDLE_MS });
    this.commands = new ChunkAssembler({ maxBytes: maxCommandBytes, transfersPerSender: COMMANDS_PER_SENDER, idleMs: REASSEMBLY_IDLE_MS });
    for (const [id, { host, port }] of peers) {
      if (id === self) continue;
      this.bySource.set(`${asReported(host)}|${port}`, id);
      this.traffic.set(id, { messagesSent: 0, datagramsSent: 0, bytesSent: 0, messagesReceived: 0, datagramsReceived: 0, bytesReceived: 0 });
    }
    this.shared = socket;
    this.listen(socket);
    // The kernel delivers to a connected socket only what comes from the address it is connected to.
    for (const [id, s] of connected) s.on('message', (bytes) => this.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), id));
  }

  /** Binds this node's address and resolves peer host names once, so sends never wait on DNS. */
  static async open(options: UdpTransportOptions): Promise<UdpTransport> {
    const own = options.addresses.get(options.self);
    if (own === undefined) throw new TransportError(`node ${options.self} has no address among the peers`);
    checkAuthentication(options);
    const resolved = new Map<NodeId, PeerAddress>();
    for (const [id, address] of options.addresses) resolved.set(id, await resolve(id, address));
    const family = isIP(resolved.get(options.self)!.host);
    for (const [id, address] of resolved) {
      if (isIP(address.host) !== family) {
        throw new TransportError(`node ${id} at ${address.host} is IPv${isIP(address.host)}, node ${options.self} listens on IPv${family}`);
      }
    }
    const host = resolved.get(options.self)!.host;
    // Every address is resolved by now. dgram still looks each one up on every send, and its lookup
    // of an IP literal answers in a process.nextTick: an event-loop hop and two closures per
    // datagram. Answered at once, the datagram leaves within send().
    const lookup: dgram.SocketOptions['lookup'] = (address, _options, answer) => answer(null, address, family);
    const socketOf = (reuseAddr: boolean) => dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6, reuseAddr, lookup });
    // The per-peer sockets share the node's port (SO_REUSEADDR), which would also let a twin of
    // this node bind it: a socket without reuse takes the port first, and fails if anything holds it.
    const probe = socketOf(false);
    await bindSocket(probe, own.port, host, own);
    const port = probe.address().port;
    await new Promise<void>((ok) => probe.close(ok));
    const socket = socketOf(true);
    await bindSocket(socket, port, host, own);
    const logger = options.logger ?? silentLogger;
    const connected = new Map<NodeId, dgram.Socket>();
    try {
      for (const [id, address] of resolved) {
        if (id === options.self) continue;
        const s = socketOf(true);
        await bindSocket(s, port, host, own);
        // Node hands a connect error to the callback rather than emitting it.
        const refused = await new Promise<unknown>((done) => s.connect(address.port, address.host, (...err: unknown[]) => done(err[0] ?? null)));
        if (refused !== null) {
          // An address the kernel will not connect to (a broadcast address): reached through the shared socket.
          s.close();
          continue;
        }
        // A peer that is down answers with ICMP, which a connected socket reports as ECONNREFUSED.
        s.on('error', (err: NodeJS.ErrnoException) => logger[err.code === 'ECONNREFUSED' ? 'debug' : 'warn'](`udp socket of node ${id}: ${err.message}`));
        connected.set(id, s);
      }
    } catch (err) {
      for (const s of [socket, ...connected.values()]) s.close();
      throw err;
    }
    for (const s of [socket, ...connected.values()]) {
      try {
        s.setRecvBufferSize(options.receiveBufferBytes ?? SOCKET_BUFFER_BYTES);
        s.setSendBufferSize(SOCKET_BUFFER_BYTES);
      } catch {
        // Best effort: smaller buffers only mean more retries of large snapshots.
      }
    }
    const maxCommandBytes = options.maxCommandBytes ?? DEFAULT_MAX_COMMAND_BYTES;
    const codec = createWireCodec({
      clusterId: options.clusterId, self: options.self, members: [...options.addresses.keys()],
      ...(options.key && { key: options.key }),
      ...(options.acceptedKeys && { acceptedKeys: options.acceptedKeys }),
      ...(options.commands && { commands: options.commands }),
      ...(options.maxDatagramBytes && { maxDatagramBytes: options.maxDatagramBytes }),
      maxCommandBytes,
    });
    return new UdpTransport(socket, { port, host, family }, connected, codec, resolved, options.self, logger, options.maxSnapshotBytes ?? 1024 * 1024 * 1024, maxCommandBytes);
  }

  private listen(socket: dgram.Socket): void {
    socket.on('error', (err) => this.logger.warn(`udp socket: ${err.message}`));
    socket.on('message', (bytes, from) => {
      const peer = this.bySource.get(`${from.address}|${from.port}`);
      if (peer === undefined) return this.dropStranger(from.address, from.port);
      this.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), peer);
    });
  }

  /** Closes the unconnected socket for a while: the kernel then drops strangers' datagrams itself. */
  private muteStrangers(): void {
    if (this.shared === null) return;
    this.shared.close();
    this.shared = null;
    this.counters.strangersMuted++;
    this.unmuteTimer = setTimeout(() => this.unmuteStrangers(), STRANGER_MUTE_MS);
  }

  private unmuteStrangers(): void {
    this.unmuteTimer = null;
    if (this.closed) return;
    const { port, host, family } = this.bound;
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6, reuseAddr: true });
    socket.once('error', (err) => {
      this.logger.warn(`cannot reopen the udp socket for strangers: ${err.message}`);
      socket.close();
      if (!this.closed) this.unmuteTimer = setTimeout(() => this.unmuteStrangers(), STRANGER_MUTE_MS);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      if (this.closed) return socket.close();
      this.shared = socket;
      this.listen(socket);
    });
  }

  get stats(): TransportCounters {
    return { ...this.counters };
  }

  /** Drops by reason, for the metrics endpoint: the counters above under the metric's labels. */
  get droppedBy(): Record<DropReason, number> {
    const c = this.counters;
    return { stranger: c.fromStrangers, impostor: c.wrongSource, bad_mac: c.badMac, invalid: c.invalid, too_large: c.tooLarge };
  }

  send(message: Message): void {
    if (this.closed) return;
    const peer = this.peers.get(message.to);
    if (peer === undefined) {
      this.logger.debug(`not sent: node ${message.to} is not a member`);
      return;
    }
    this.traffic.get(message.to)!.messagesSent++;
    const queued = this.streams.get(message.to);
    // A retry of a split message still on its way adds nothing (and a snapshot is costly to encode).
    // The key is built only when something is streaming to this peer: not on the one-datagram path.
    if (queued !== undefined) {
      const key = streamKey(message);
      if (queued.some((q) => q.key === key)) return;
    }
    let datagrams: Uint8Array[];
    try {
      datagrams = this.codec.encode(message);
    } catch (err) {
      // An entry too large for any message: the node must hear of it, not retry it forever.
      this.counters.sendErrors++;
      throw err;
    }
    // The fast path: one datagram, or a few, and nothing this one must not overtake. An
    // AppendEntries waits behind a split one, or the follower would see a gap and refuse it.
    if (datagrams.length <= BURST && (queued === undefined || message.type !== 'AppendEntries')) {
      for (const datagram of datagrams) this.sendDatagram(datagram, peer, message.to);
      return;
    }
    this.stream(message.to, peer, { key: streamKey(message), datagrams, next: 0 });
  }

  /**
   * A split message goes out in bursts, one per event-loop turn, so a receiver with the kernel's
   * default socket buffer (about 200 KiB) is not flooded: sent at once, a multi-megabyte snapshot
   * or command would lose the same tail on every attempt and never complete.
   */
  private stream(to: NodeId, peer: PeerAddress, stream: Stream): void {
    const queued = this.streams.get(to);
    if (queued !== undefined) {
      queued.push(stream);
      return;
    }
    const queue = [stream];
    this.streams.set(to, queue);
    const pump = () => {
      if (this.closed) return;
      for (let sent = 0; sent < BURST && queue.length > 0;) {
        const head = queue[0]!;
        while (sent < BURST && head.next < head.datagrams.length) {
          this.sendDatagram(head.datagrams[head.next++]!, peer, to);
          sent++;
        }
        if (head.next === head.datagrams.length) queue.shift();
      }
      if (queue.length > 0) setImmediate(pump);
      else this.streams.delete(to);
    };
    pump();
  }

  private sendDatagram(datagram: Uint8Array, peer: PeerAddress, to: NodeId): void {
    this.counters.datagramsSent++;
    const traffic = this.traffic.get(to)!;
    traffic.datagramsSent++;
    traffic.bytesSent += datagram.length;
    const sent = (err: Error | null) => {
      if (err === null || this.closed) return;
      this.counters.sendErrors++;
      const permanent = PERMANENT_SEND_ERRORS.has((err as NodeJS.ErrnoException).code ?? '');
      this.logger[permanent ? 'error' : 'debug'](`send of ${datagram.length} bytes to node ${to} failed: ${err.message}`);
    };
    const own = this.connected.get(to);
    if (own !== undefined) own.send(datagram, sent);
    else if (this.shared !== null) this.shared.send(datagram, peer.port, peer.host, sent);
    else sent(new Error('the unconnected socket is closed while strangers are muted'));
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.shared?.close();
    if (this.unmuteTimer !== null) clearTimeout(this.unmuteTimer);
    for (const s of this.connected.values()) s.close();
  }

  private receive(bytes: Uint8Array, sender: NodeId): void {
    if (this.closed) return;
    this.counters.datagramsReceived++;
    const traffic = this.traffic.get(sender)!;
    traffic.datagramsReceived++;
    traffic.bytesReceived += bytes.length;
    const decoded = this.codec.decode(bytes);
    if (!decoded.ok) {
      return this.drop(sender, decoded.cause === 'bad-mac' ? 'bad_mac' : decoded.cause === 'unknown-sender' ? 'impostor' : 'invalid', decoded.reason);
    }
    const d = decoded.datagram;
    if (d.from !== sender) {
      return this.drop(sender, 'impostor', `claims to come from node ${d.from}`);
    }
    if (d.type === 'InstallSnapshotChunk') {
      const { term, from, to, lastIncludedIndex, lastIncludedTerm } = d;
      const data = this.snapshots.add(d, `${term}/${lastIncludedIndex}/${lastIncludedTerm}/${d.total}`, performance.now());
      if (data === 'too large') return this.drop(sender, 'too_large', `snapshot of ${d.total} bytes is larger than allowed`);
      if (data === 'incomplete') return;
      traffic.messagesReceived++;
      this.handler?.({ type: 'InstallSnapshot', term, from, to, lastIncludedIndex, lastIncludedTerm, data });
      return;
    }
    if (d.type === 'AppendEntriesChunk') {
      // The same term, index and entry term name the same entry (Log Matching), so chunks of retries combine.
      const command = this.commands.add(d, `${d.term}/${d.prevLogIndex}/${d.prevLogTerm}/${d.entryTerm}/${d.total}`, performance.now());
      if (command === 'too large') return this.drop(sender, 'too_large', `command of ${d.total} bytes is larger than allowed`);
      if (command === 'incomplete') return;
      const rebuilt = this.codec.entryOf(d, command);
      if (!rebuilt.ok) return this.drop(sender, 'invalid', rebuilt.reason);
      traffic.messagesReceived++;
      return this.handler?.(rebuilt.datagram);
    }
    traffic.messagesReceived++;
    this.handler?.(d);
  }

  /** Counts a refused datagram under its reason; the two that forgeries look like also go to the authentication report. */
  private drop(sender: NodeId, why: Exclude<DropReason, 'stranger'>, reason: string): void {
    this.counters.dropped++;
    this.logger.debug(`dropped datagram from node ${sender}'s address: ${reason}`);
    switch (why) {
      case 'bad_mac': return this.countAuthDrop('badMac', `node ${sender}'s address`);
      case 'impostor': return this.countAuthDrop('wrongSource', `node ${sender}'s address`);
      case 'invalid': this.counters.invalid++; return;
      case 'too_large': this.counters.tooLarge++; return;
    }
  }

  private dropStranger(address: string, port: number): void {
    if (this.closed) return;
    this.counters.datagramsReceived++;
    this.counters.dropped++;
    if (!this.strangerBudget.take(performance.now())) this.muteStrangers();
    this.countAuthDrop('fromStrangers', `${address}:${port}`);
  }

  /** Counts a drop for authentication; at most one warning per interval says how many, by reason. */
  private countAuthDrop(reason: 'fromStrangers' | 'badMac' | 'wrongSource', lastFrom: string): void {
    this.counters[reason]++;
    const { fromStrangers, badMac, wrongSource } = this.counters;
    const total = fromStrangers + badMac + wrongSource;
    const now = performance.now();
    if (now - this.authReportAt < AUTH_REPORT_MS) return;
    this.authReportAt = now;
    const count = total - this.authReported;
    this.authReported = total;
    this.logger.warn(`dropped ${count} datagram${count === 1 ? '' : 's'} failing authentication (so far: ${fromStrangers} from addresses that `
      + `are no peer's, ${badMac} with a bad MAC, ${wrongSource} claiming another sender than their address's; the last from ${lastFrom})`);
  }
}

/** A message being sent in bursts; `key` names its content, so a retry of it can be recognised. */
interface Stream {
  readonly key: string;
  readonly datagrams: Uint8Array[];
  next: number;
}

function streamKey(m: Message): string {
  switch (m.type) {
    case 'InstallSnapshot': return `snapshot/${m.term}/${m.lastIncludedIndex}/${m.lastIncludedTerm}/${m.data.length}`;
    // Within one term the leader's entries after an index never change (Log Matching).
    case 'AppendEntries': return `entries/${m.term}/${m.prevLogIndex}/${m.entries.length}/${m.leaderCommit}`;
    default: return m.type;
  }
}

async function bindSocket(socket: dgram.Socket, port: number, host: string, own: PeerAddress): Promise<void> {
  await new Promise<void>((ok, fail) => {
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      const where = `${own.host}:${own.port}`;
      fail(new TransportError(err.code === 'EADDRINUSE' ? `port ${own.port} is in use (${where})`
        : err.code === 'EADDRNOTAVAIL' ? `${own.host} is not an address of this machine`
        : `cannot listen on ${where}: ${err.message}`));
    });
    socket.bind(port, host, () => { socket.removeAllListeners('error'); ok(); });
  });
}

/** A transport is keyed, or keyless because its user said so by name; never keyless by omission. */
function checkAuthentication(options: UdpTransportOptions): void {
  if (options.insecureNoAuth === true) {
    if (options.key !== undefined || options.acceptedKeys?.length) throw new TransportError('insecureNoAuth together with a key: choose one');
    return;
  }
  if (options.key === undefined) throw new TransportError('no key: give a key of at least 16 bytes, or insecureNoAuth to run without authentication');
  for (const k of [options.key, ...(options.acceptedKeys ?? [])]) {
    if (k.length < MIN_KEY_BYTES) throw new TransportError(`a key of ${k.length} bytes: use at least ${MIN_KEY_BYTES}`);
  }
}

/** An address as the kernel reports a datagram's source: IPv6 compressed and in lower case (0:0:0:0:0:0:0:1 is ::1). */
const asReported = (host: string): string => isIP(host) === 6 ? new URL(`udp://[${host}]`).hostname.slice(1, -1) : host;

async function resolve(id: NodeId, address: PeerAddress): Promise<PeerAddress> {
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 65535) {
    throw new TransportError(`node ${id}: port ${address.port} is not a UDP port`);
  }
  if (isIP(address.host) !== 0) return address;
  try {
    return { host: (await lookup(address.host)).address, port: address.port };
  } catch {
    throw new TransportError(`node ${id}: cannot resolve host ${address.host}`);
  }
}
