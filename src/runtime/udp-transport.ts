// The Transport between processes: one UDP socket per node (IPv4 or IPv6), one wire-codec datagram
// per message or message piece. Whatever arrives is validated before the node sees it; a datagram
// that fails is dropped, counted and logged at debug level, and the node keeps running. Hostile
// traffic must cost little, or a flood starves the members' datagrams and timers: a datagram from
// an address that is no peer's is dropped before anything else is done with it, and one that claims
// a sender other than the peer at its source address is dropped too. A send the kernel refuses for
// a reason that will not go away (EMSGSIZE and the like) is logged as an error: every retry would
// fail the same way.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CommandCodec, InstallSnapshot, Message, NodeId } from '../machine/index.ts';
import { silentLogger, type Logger } from './logger.ts';
import { SnapshotAssembler } from './snapshot-assembler.ts';
import type { Transport } from './transport.ts';
import { DEFAULT_MAX_DATAGRAM, createWireCodec, maxCommandBytes, type WireCodec } from './wire-codec.ts';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface UdpTransportOptions {
  readonly self: NodeId;
  /** Every member's address, this node's own included (it binds there). */
  readonly addresses: ReadonlyMap<NodeId, PeerAddress>;
  readonly clusterId: number;
  /** Shared secret for HMAC authentication of every datagram; without it datagrams are only checksummed. */
  readonly key?: Uint8Array;
  readonly maxDatagramBytes?: number;
  /** The largest snapshot this node accepts, bounding the memory a sender can tie up. */
  readonly maxSnapshotBytes?: number;
  readonly commands?: CommandCodec;
  readonly logger?: Logger;
  /** Kernel receive buffer to ask for (default 8 MiB; Linux caps it at net.core.rmem_max). */
  readonly receiveBufferBytes?: number;
}

export interface TransportCounters {
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /** Every datagram refused, those from strangers included. */
  readonly dropped: number;
  /** Datagrams from an address that is no peer's, dropped unread. */
  readonly fromStrangers: number;
  readonly sendErrors: number;
}

/** Why a datagram was refused: a stranger's address, a sender claiming another peer's id, anything the codec refused, a snapshot too large. */
export type DropReason = 'stranger' | 'impostor' | 'invalid' | 'snapshot_too_large';

/** Traffic with one peer: Raft messages, and the datagrams and bytes that carried them. */
export interface PeerTraffic {
  messagesSent: number;
  datagramsSent: number;
  bytesSent: number;
  messagesReceived: number;
  datagramsReceived: number;
  bytesReceived: number;
}

/** Why a transport cannot start, in words for the person who started it. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/** Kernel socket buffers large enough for a burst of snapshot chunks; Linux caps them at rmem_max/wmem_max. */
const SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Snapshot chunks sent per event-loop turn: about 22 KiB at the default datagram size, and fewer
 * than the 32 datagrams libuv reads per turn, so even a receiver in the same process keeps up.
 */
const SNAPSHOT_BURST = 16;
/** Strangers' datagrams are reported in one line per interval: a line each would cost more than the drop. */
const STRANGER_REPORT_MS = 10_000;
/** Send errors that the same datagram would meet again; the rest (a peer down, a full buffer) pass. */
const PERMANENT_SEND_ERRORS = new Set(['EMSGSIZE', 'EINVAL', 'EACCES', 'EPERM', 'EAFNOSUPPORT', 'EDESTADDRREQ']);

export class UdpTransport implements Transport {
  readonly maxCommandBytes: number;
  private handler: ((message: Message) => void) | null = null;
  private closed = false;
  private readonly assembler: SnapshotAssembler;
  /** Snapshots being streamed, per peer. */
  private readonly streams = new Map<NodeId, { readonly key: string; readonly datagrams: Uint8Array[]; next: number }>();
  private readonly counters = { datagramsSent: 0, datagramsReceived: 0, dropped: 0, fromStrangers: 0, sendErrors: 0 };
  /** Per peer, and drops per reason, for the metrics endpoint. */
  readonly traffic = new Map<NodeId, PeerTraffic>();
  readonly droppedBy: Record<DropReason, number> = { stranger: 0, impostor: 0, invalid: 0, snapshot_too_large: 0 };
  /** Each peer by the port and address it sends from (its bound address: one socket per node). */
  private readonly bySource = new Map<number, { readonly host: string; readonly id: NodeId }>();
  private strangersReported = 0;
  private strangerReportAt = -Infinity;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly codec: WireCodec,
    private readonly peers: ReadonlyMap<NodeId, PeerAddress>,
    self: NodeId,
    private readonly logger: Logger,
    maxSnapshotBytes: number,
    maxDatagramBytes: number,
    authenticated: boolean,
  ) {
    this.maxCommandBytes = maxCommandBytes(maxDatagramBytes, authenticated);
    this.assembler = new SnapshotAssembler(maxSnapshotBytes);
    for (const [id, { host, port }] of peers) {
      if (id === self) continue;
      this.bySource.set(port, { host, id });
      this.traffic.set(id, { messagesSent: 0, datagramsSent: 0, bytesSent: 0, messagesReceived: 0, datagramsReceived: 0, bytesReceived: 0 });
    }
    socket.on('message', (bytes, from) => {
      const peer = this.bySource.get(from.port);
      if (peer === undefined || peer.host !== from.address) return this.dropStranger(from.address, from.port);
      this.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), peer.id);
    });
  }

  /** Binds this node's address and resolves peer host names once, so sends never wait on DNS. */
  static async open(options: UdpTransportOptions): Promise<UdpTransport> {
    const own = options.addresses.get(options.self);
    if (own === undefined) throw new TransportError(`node ${options.self} has no address among the peers`);
    const resolved = new Map<NodeId, PeerAddress>();
    for (const [id, address] of options.addresses) resolved.set(id, await resolve(id, address));
    const family = isIP(resolved.get(options.self)!.host);
    for (const [id, address] of resolved) {
      if (isIP(address.host) !== family) {
        throw new TransportError(`node ${id} at ${address.host} is IPv${isIP(address.host)}, node ${options.self} listens on IPv${family}`);
      }
    }
    // Every address is resolved by now. dgram still looks each one up on every send, and its lookup
    // of an IP literal answers in a process.nextTick: an event-loop hop and two closures per
    // datagram. Answered at once, the datagram leaves within send().
    const lookup: dgram.SocketOptions['lookup'] = (host, _options, answer) => answer(null, host, family);
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6, lookup });
    await new Promise<void>((ok, fail) => {
      socket.once('error', (err: NodeJS.ErrnoException) => {
        socket.close();
        const where = `${own.host}:${own.port}`;
        fail(new TransportError(err.code === 'EADDRINUSE' ? `port ${own.port} is in use (${where})`
          : err.code === 'EADDRNOTAVAIL' ? `${own.host} is not an address of this machine`
          : `cannot listen on ${where}: ${err.message}`));
      });
      socket.bind(own.port, resolved.get(options.self)!.host, () => ok());
    });
    try {
      socket.setRecvBufferSize(options.receiveBufferBytes ?? SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
    } catch {
      // Best effort: smaller buffers only mean more retries of large snapshots.
    }
    const logger = options.logger ?? silentLogger;
    socket.on('error', (err) => logger.warn(`udp socket: ${err.message}`));
    const codec = createWireCodec({
      clusterId: options.clusterId, self: options.self, members: [...options.addresses.keys()],
      ...(options.key && { key: options.key }),
      ...(options.commands && { commands: options.commands }),
      ...(options.maxDatagramBytes && { maxDatagramBytes: options.maxDatagramBytes }),
    });
    return new UdpTransport(socket, codec, resolved, options.self, logger, options.maxSnapshotBytes ?? 1024 * 1024 * 1024,
      options.maxDatagramBytes || DEFAULT_MAX_DATAGRAM, options.key !== undefined);
  }

  get stats(): TransportCounters {
    return { ...this.counters };
  }

  send(message: Message): void {
    if (this.closed) return;
    const peer = this.peers.get(message.to);
    if (peer === undefined) {
      this.logger.debug(`not sent: node ${message.to} is not a member`);
      return;
    }
    const traffic = this.traffic.get(message.to)!;
    traffic.messagesSent++;
    if (message.type === 'InstallSnapshot') return this.streamSnapshot(message, peer);
    let datagrams: Uint8Array[];
    try {
      datagrams = this.codec.encode(message);
    } catch (err) {
      // An entry too large for any datagram: the node must hear of it, not retry it forever.
      this.counters.sendErrors++;
      throw err;
    }
    for (let i = 0; i < datagrams.length; i++) this.sendDatagram(datagrams[i]!, peer, message.to, traffic);
  }

  /**
   * A snapshot goes out in bursts of chunks, one burst per event-loop turn, so a receiver with the
   * kernel's default socket buffer (about 200 KiB) is not flooded: sent at once, a multi-megabyte
   * snapshot would lose the same tail on every attempt and never complete. While a snapshot is
   * streaming to a peer, the leader's retries of that same snapshot add nothing and are skipped.
   */
  private streamSnapshot(m: InstallSnapshot, peer: PeerAddress): void {
    const key = `${m.term}/${m.lastIncludedIndex}/${m.lastIncludedTerm}/${m.data.length}`;
    if (this.streams.get(m.to)?.key === key) return;
    const stream = { key, datagrams: this.codec.encode(m), next: 0 };
    this.streams.set(m.to, stream);
    const pump = () => {
      if (this.closed || this.streams.get(m.to) !== stream) return;
      const end = Math.min(stream.datagrams.length, stream.next + SNAPSHOT_BURST);
      while (stream.next < end) this.sendDatagram(stream.datagrams[stream.next++]!, peer, m.to, this.traffic.get(m.to)!);
      if (stream.next < stream.datagrams.length) setImmediate(pump);
      else this.streams.delete(m.to);
    };
    pump();
  }

  private sendDatagram(datagram: Uint8Array, peer: PeerAddress, to: NodeId, traffic: PeerTraffic): void {
    this.counters.datagramsSent++;
    traffic.datagramsSent++;
    traffic.bytesSent += datagram.length;
    this.socket.send(datagram, peer.port, peer.host, (err) => {
      if (err === null || this.closed) return;
      this.counters.sendErrors++;
      const permanent = PERMANENT_SEND_ERRORS.has((err as NodeJS.ErrnoException).code ?? '');
      this.logger[permanent ? 'error' : 'debug'](`send of ${datagram.length} bytes to node ${to} failed: ${err.message}`);
    });
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private receive(bytes: Uint8Array, sender: NodeId): void {
    if (this.closed) return;
    this.counters.datagramsReceived++;
    const traffic = this.traffic.get(sender)!;
    traffic.datagramsReceived++;
    traffic.bytesReceived += bytes.length;
    const decoded = this.codec.decode(bytes);
    if (!decoded.ok) return this.drop(sender, 'invalid', decoded.reason);
    const d = decoded.datagram;
    if (d.from !== sender) return this.drop(sender, 'impostor', `claims to come from node ${d.from}`);
    if (d.type !== 'InstallSnapshotChunk') {
      traffic.messagesReceived++;
      return this.handler?.(d);
    }
    const snapshot = this.assembler.add(d);
    if (snapshot === 'too large') return this.drop(sender, 'snapshot_too_large', `snapshot of ${d.total} bytes is larger than allowed`);
    if (snapshot === 'incomplete') return;
    traffic.messagesReceived++;
    this.handler?.(snapshot);
  }

  private drop(sender: NodeId, why: DropReason, reason: string): void {
    this.counters.dropped++;
    this.droppedBy[why]++;
    this.logger.debug(`dropped datagram from node ${sender}: ${reason}`);
  }

  private dropStranger(address: string, port: number): void {
    if (this.closed) return;
    this.counters.datagramsReceived++;
    this.counters.dropped++;
    this.counters.fromStrangers++;
    this.droppedBy.stranger++;
    const now = performance.now();
    if (now - this.strangerReportAt < STRANGER_REPORT_MS) return;
    this.strangerReportAt = now;
    const count = this.counters.fromStrangers - this.strangersReported;
    this.strangersReported = this.counters.fromStrangers;
    this.logger.warn(`dropped ${count} datagram${count === 1 ? '' : 's'} from addresses that are no peer's (the last from ${address}:${port})`);
  }
}

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
