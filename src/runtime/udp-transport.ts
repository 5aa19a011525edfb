// The Transport between processes: one UDP socket per node (IPv4 or IPv6), one wire-codec datagram
// per message or message piece. Whatever arrives is validated before the node sees it; a datagram
// that fails is dropped, counted and logged at debug level, and the node keeps running. Hostile
// traffic must cost little, or a flood starves the members' datagrams and timers: a datagram from
// an address that is no peer's is dropped before anything else is done with it, and one that claims
// a sender other than the peer at its source address is dropped too. Those two checks hold even
// without a key, but a source address is easy to forge, so a transport is keyed unless its user
// says otherwise: an HMAC tag under the cluster's key is what keeps an outsider from moving the
// cluster. Drops for authentication are counted by reason and reported in one warning line per
// interval, so a flood of forgeries is seen without flooding the log. A send the kernel refuses for
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
  /** Shared secret for HMAC authentication of every datagram (at least 16 bytes); required unless insecureNoAuth. */
  readonly key?: Uint8Array;
  /** Keys also accepted (never sent with) while the cluster rolls from one key to another. */
  readonly acceptedKeys?: readonly Uint8Array[];
  /**
   * No key: datagrams are only checksummed, and anyone who can send from a member's address can
   * move the cluster. Must be asked for by name; refused together with a key.
   */
  readonly insecureNoAuth?: boolean;
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
  /** Every datagram refused, for authentication or as malformed. */
  readonly dropped: number;
  /** Unknown senders: datagrams from an address that is no peer's, dropped unread. */
  readonly fromStrangers: number;
  /** Datagrams whose tag no accepted key produced: forged, or sent with another key. */
  readonly badMac: number;
  /** Datagrams from a peer's address that claim another sender (or one that is no member). */
  readonly wrongSource: number;
  readonly sendErrors: number;
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
/** Drops for authentication are reported in one line per interval: a line each would cost more than the drop. */
const AUTH_REPORT_MS = 10_000;
/** The least key length (bytes) accepted: an HMAC key much shorter than its 32-byte output is guessable. */
export const MIN_KEY_BYTES = 16;
/** Send errors that the same datagram would meet again; the rest (a peer down, a full buffer) pass. */
const PERMANENT_SEND_ERRORS = new Set(['EMSGSIZE', 'EINVAL', 'EACCES', 'EPERM', 'EAFNOSUPPORT', 'EDESTADDRREQ']);

export class UdpTransport implements Transport {
  readonly maxCommandBytes: number;
  private handler: ((message: Message) => void) | null = null;
  private closed = false;
  private readonly assembler: SnapshotAssembler;
  /** Snapshots being streamed, per peer. */
  private readonly streams = new Map<NodeId, { readonly key: string; readonly datagrams: Uint8Array[]; next: number }>();
  private readonly counters = { datagramsSent: 0, datagramsReceived: 0, dropped: 0, fromStrangers: 0, badMac: 0, wrongSource: 0, sendErrors: 0 };
  /**
   * Each peer by the address and port it sends from (its bound address: one socket per node).
   * Keyed by both: members on different hosts commonly share one port.
   */
  private readonly bySource = new Map<string, NodeId>();
  /** Authentication drops already reported, and when the last report went out. */
  private authReported = 0;
  private authReportAt = -Infinity;

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
    for (const [id, { host, port }] of peers) if (id !== self) this.bySource.set(`${asReported(host)}|${port}`, id);
    socket.on('message', (bytes, from) => {
      const peer = this.bySource.get(`${from.address}|${from.port}`);
      if (peer === undefined) return this.dropStranger(from.address, from.port);
      this.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), peer);
    });
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
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6 });
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
      ...(options.acceptedKeys && { acceptedKeys: options.acceptedKeys }),
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
    if (message.type === 'InstallSnapshot') return this.streamSnapshot(message, peer);
    let datagrams: Uint8Array[];
    try {
      datagrams = this.codec.encode(message);
    } catch (err) {
      // An entry too large for any datagram: the node must hear of it, not retry it forever.
      this.counters.sendErrors++;
      throw err;
    }
    for (const datagram of datagrams) this.sendDatagram(datagram, peer, message.to);
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
      while (stream.next < end) this.sendDatagram(stream.datagrams[stream.next++]!, peer, m.to);
      if (stream.next < stream.datagrams.length) setImmediate(pump);
      else this.streams.delete(m.to);
    };
    pump();
  }

  private sendDatagram(datagram: Uint8Array, peer: PeerAddress, to: NodeId): void {
    this.counters.datagramsSent++;
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
    const decoded = this.codec.decode(bytes);
    if (!decoded.ok) {
      this.drop(sender, decoded.reason);
      if (decoded.cause === 'bad-mac') this.countAuthDrop('badMac', `node ${sender}'s address`);
      else if (decoded.cause === 'unknown-sender') this.countAuthDrop('wrongSource', `node ${sender}'s address`);
      return;
    }
    const d = decoded.datagram;
    if (d.from !== sender) {
      this.drop(sender, `claims to come from node ${d.from}`);
      return this.countAuthDrop('wrongSource', `node ${sender}'s address`);
    }
    if (d.type !== 'InstallSnapshotChunk') return this.handler?.(d);
    const snapshot = this.assembler.add(d);
    if (snapshot === 'too large') return this.drop(sender, `snapshot of ${d.total} bytes is larger than allowed`);
    if (snapshot !== 'incomplete') this.handler?.(snapshot);
  }

  private drop(sender: NodeId, reason: string): void {
    this.counters.dropped++;
    this.logger.debug(`dropped datagram from node ${sender}'s address: ${reason}`);
  }

  private dropStranger(address: string, port: number): void {
    if (this.closed) return;
    this.counters.datagramsReceived++;
    this.counters.dropped++;
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
