// The UDP wire format: one Raft message per datagram, compact (varints), versioned, addressed to
// one cluster, checksummed and optionally authenticated. Decoding never throws: anything that is
// not exactly what an encoder of this cluster would have sent comes back as a refusal with a
// reason, so a datagram is accepted only if re-encoding it gives the same bytes.
//
// A message too large for one datagram is split into messages the leader could have sent itself:
// AppendEntries into consecutive AppendEntries (each with the right prevLogIndex/prevLogTerm), and
// InstallSnapshot into chunks with offset and done, as in §7 of the paper. An entry larger than a
// datagram travels alone, its command in chunks the same way (AppendEntriesChunk); the receiver
// reassembles the command and rebuilds the one-entry AppendEntries (entryOf).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { match } from 'ts-pattern';
import {
  MAX_INDEX, MAX_TERM, crc32, jsonCommands, logIndex, nodeId, term,
  type AppendEntries, type CommandCodec, type Entry, type InstallSnapshot, type LogIndex, type Message,
  type NodeId, type Term,
} from '../machine/index.ts';
import { ByteReader, ByteWriter, MalformedBytes } from '../machine/index.ts';

export const WIRE_VERSION = 1;
/** Fits an Ethernet frame over IPv6 (1500 - 40 - 8) with room to spare, so nothing fragments. */
export const DEFAULT_MAX_DATAGRAM = 1400;
/** The most UDP can carry over IPv4, and so the largest cap. */
const UDP_MAX_PAYLOAD = 65_507;
const TAG_BYTES = 16;
/** Version, cluster id, type. */
const HEADER_BYTES = 6;
/** Room for the varint fields of any header, entry count and trailer besides the payload. */
const ENVELOPE_RESERVE = 96;
const MAX_SNAPSHOT_BYTES = 2 ** 31;
/** The default largest command: well above a datagram, small enough to hold a few per sender while they arrive. */
export const DEFAULT_MAX_COMMAND_BYTES = 1024 * 1024;
/** The most a cluster may configure: a sender can make a receiver hold a few commands of this size. */
export const MAX_COMMAND_BYTES_LIMIT = 64 * 1024 * 1024;

/** A well-formed datagram that claims a sender who is not a peer of this node. */
class UnknownSender extends MalformedBytes {}

const varintBytes = (n: number): number => {
  let bytes = 1;
  for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes++;
  return bytes;
};

/** Bytes of entries one AppendEntries datagram carries under the cap. */
const entryBudget = (maxDatagramBytes: number, authenticated: boolean): number =>
  maxDatagramBytes - ENVELOPE_RESERVE - (authenticated ? TAG_BYTES : 0);

/** A message that cannot be sent: the proposer let in a command above the codec's maxCommandBytes. */
export class OversizedEntryError extends Error {
  override name = 'OversizedEntryError';
}

/** One §7 chunk of an InstallSnapshot: bytes [offset, offset + data.length) of a snapshot of `total` bytes. */
export interface SnapshotChunk {
  readonly type: 'InstallSnapshotChunk';
  readonly term: Term;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly lastIncludedIndex: LogIndex;
  readonly lastIncludedTerm: Term;
  readonly offset: number;
  readonly total: number;
  readonly done: boolean;
  readonly data: Uint8Array;
}

/**
 * Bytes [offset, offset + data.length) of the command of the one entry (of term `entryTerm`, at
 * prevLogIndex + 1) of an AppendEntries too large for a datagram; the command is `total` bytes.
 */
export interface EntryChunk {
  readonly type: 'AppendEntriesChunk';
  readonly term: Term;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly prevLogIndex: LogIndex;
  readonly prevLogTerm: Term;
  readonly leaderCommit: LogIndex;
  readonly entryTerm: Term;
  readonly offset: number;
  readonly total: number;
  readonly done: boolean;
  readonly data: Uint8Array;
}

/** What one datagram carries: a message, or a piece of one. */
export type Datagram = Exclude<Message, InstallSnapshot> | SnapshotChunk | EntryChunk;

/**
 * Why a datagram was refused. The first two are what forgeries look like (no good tag; a sender
 * who is no peer), so a transport counts them apart from damage.
 */
export type Refusal = 'bad-mac' | 'unknown-sender' | 'malformed';

/** What {@link WireCodec.decode} makes of a datagram: the datagram, or why it was refused. Never a throw. */
export type Decoded =
  | { readonly ok: true; readonly datagram: Datagram }
  | { readonly ok: false; readonly cause: Refusal; readonly reason: string };

/** One node's view of the wire format: whose datagrams it accepts, with which key, under which size caps. */
export interface WireConfig {
  /** Distinguishes clusters sharing hosts and ports: datagrams of another cluster are refused. */
  readonly clusterId: number;
  /** The node that receives with this codec. */
  readonly self: NodeId;
  readonly members: readonly NodeId[];
  readonly commands?: CommandCodec;
  /** Shared secret: when set, every datagram carries an HMAC-SHA256 tag and untagged ones are refused. */
  readonly key?: Uint8Array;
  /**
   * More keys whose tags are accepted, never used to send: during a key rotation, the key the
   * other members still send with (see docs/networked-runtime.md). Only with `key`.
   */
  readonly acceptedKeys?: readonly Uint8Array[];
  readonly maxDatagramBytes?: number;
  /** The largest command sent or accepted, in bytes as `commands` writes it (default 1 MiB). */
  readonly maxCommandBytes?: number;
}

/**
 * The UDP wire format for one node: messages to datagrams within the size cap, split where needed,
 * and datagrams back, accepting only bytes an encoder of this cluster would have sent.
 */
export interface WireCodec {
  /**
   * The datagrams that carry `message`, each within the size cap. Throws OversizedEntryError for
   * an entry whose command is above maxCommandBytes: a broken invariant of the proposer, not a
   * network condition, so it is not a refusal to retry.
   */
  encode(message: Message): Uint8Array[];
  /** One datagram's bytes, tagged if the codec has a key. The caller keeps it within the size cap: {@link WireCodec.encode} does. */
  encodeDatagram(datagram: Datagram): Uint8Array;
  /** Checks the checksum, the tag if keyed, the cluster, the sender and every field; refuses anything not re-encoding to the same bytes. */
  decode(bytes: Uint8Array): Decoded;
  /** The AppendEntries whose entry's command is `command`, the bytes reassembled from `chunk`'s transfer. */
  entryOf(chunk: EntryChunk, command: Uint8Array): { readonly ok: true; readonly datagram: AppendEntries } | { readonly ok: false; readonly reason: string };
}

const TYPE_CODES = {
  RequestVote: 1,
  RequestVoteReply: 2,
  AppendEntries: 3,
  AppendEntriesReply: 4,
  InstallSnapshotChunk: 5,
  InstallSnapshotReply: 6,
  AppendEntriesChunk: 7,
} as const satisfies Record<Datagram['type'], number>;

/**
 * The codec for `config`; throws RangeError for a configuration no peer could agree with (cluster id
 * outside [0, 2^32), datagram cap outside what UDP carries, command cap above 64 MiB, accepted keys
 * without a key).
 */
export function createWireCodec(config: WireConfig): WireCodec {
  const commands = config.commands ?? jsonCommands;
  const maxBytes = config.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM;
  const maxCommand = config.maxCommandBytes ?? DEFAULT_MAX_COMMAND_BYTES;
  if (!Number.isInteger(config.clusterId) || config.clusterId < 0 || config.clusterId > 0xffffffff) {
    throw new RangeError(`cluster id must be an integer in [0, 2^32), got ${config.clusterId}`);
  }
  if (maxBytes < 2 * ENVELOPE_RESERVE || maxBytes > UDP_MAX_PAYLOAD) {
    throw new RangeError(`maxDatagramBytes must be in [${2 * ENVELOPE_RESERVE}, ${UDP_MAX_PAYLOAD}], got ${maxBytes}`);
  }
  if (!Number.isInteger(maxCommand) || maxCommand < 1 || maxCommand > MAX_COMMAND_BYTES_LIMIT) {
    throw new RangeError(`maxCommandBytes must be in [1, ${MAX_COMMAND_BYTES_LIMIT}], got ${maxCommand}`);
  }
  if (config.acceptedKeys?.length && config.key === undefined) throw new RangeError('acceptedKeys without a key: a keyless codec checks no tag');
  const members = new Set<number>(config.members);
  const tagBytes = config.key ? TAG_BYTES : 0;
  const budget = entryBudget(maxBytes, config.key !== undefined);
  const tagWith = (key: Uint8Array, bytes: Uint8Array): Uint8Array =>
    new Uint8Array(createHmac('sha256', key).update(bytes).digest().subarray(0, TAG_BYTES));
  const tag = (bytes: Uint8Array): Uint8Array => tagWith(config.key!, bytes);
  const verifiers = config.key ? [config.key, ...(config.acceptedKeys ?? [])] : [];

  function begin(type: Datagram['type'], env: { term: Term; from: NodeId; to: NodeId }, capacity?: number): ByteWriter {
    const w = new ByteWriter(capacity);
    w.byte(WIRE_VERSION);
    w.uint32(config.clusterId);
    w.byte(TYPE_CODES[type]);
    w.varint(env.from);
    w.varint(env.to);
    w.varint(env.term);
    return w;
  }

  function seal(w: ByteWriter): Uint8Array {
    w.uint32(crc32(w.view()));
    if (config.key) w.bytes(tag(w.view()));
    return w.view().slice();
  }

  function encodeAppendEntries(m: AppendEntries, entries: readonly Uint8Array[]): Uint8Array {
    const w = begin('AppendEntries', m);
    w.varint(m.prevLogIndex);
    w.varint(m.prevLogTerm);
    w.varint(m.leaderCommit);
    w.varint(entries.length);
    for (const e of entries) w.bytes(e);
    return seal(w);
  }

  const encodeCommand = (e: Entry, index: number): Uint8Array => {
    const command = commands.encode(e.command);
    if (command.length > maxCommand) {
      throw new OversizedEntryError(`entry ${index} has a command of ${command.length} bytes, more than maxCommandBytes `
        + `(${maxCommand}), which start() should have refused`);
    }
    return command;
  };

  const encodeEntry = (e: Entry, index: number): Uint8Array => {
    const w = new ByteWriter(16);
    w.varint(e.term);
    w.chunk(encodeCommand(e, index));
    return w.view();
  };

  function encodeDatagram(d: Datagram): Uint8Array {
    return match(d)
      .with({ type: 'AppendEntries' }, (m) => encodeAppendEntries(m, m.entries.map((e, k) => encodeEntry(e, m.prevLogIndex + k + 1))))
      .with({ type: 'RequestVote' }, (m) => {
        const w = begin(m.type, m);
        w.varint(m.lastLogIndex);
        w.varint(m.lastLogTerm);
        return seal(w);
      })
      .with({ type: 'RequestVoteReply' }, (m) => {
        const w = begin(m.type, m);
        w.byte(m.voteGranted ? 1 : 0);
        return seal(w);
      })
      .with({ type: 'AppendEntriesReply' }, (m) => {
        const w = begin(m.type, m);
        w.byte(m.success ? 1 : 0);
        w.varint(m.matchIndex);
        w.varint(m.conflictIndex);
        w.varint(m.conflictTerm);
        return seal(w);
      })
      .with({ type: 'InstallSnapshotChunk' }, encodeSnapshotChunk)
      .with({ type: 'AppendEntriesChunk' }, encodeEntryChunk)
      .with({ type: 'InstallSnapshotReply' }, (m) => {
        const w = begin(m.type, m);
        w.varint(m.matchIndex);
        return seal(w);
      })
      .exhaustive();
  }

  // Chunks are written without match(): a 1 MiB command is some 800 of them, and matching each
  // took most of the time to encode it.
  function encodeSnapshotChunk(m: SnapshotChunk): Uint8Array {
    const w = begin(m.type, m, maxBytes);
    w.varint(m.lastIncludedIndex);
    w.varint(m.lastIncludedTerm);
    writePiece(w, m);
    return seal(w);
  }

  function encodeEntryChunk(m: EntryChunk): Uint8Array {
    const w = begin(m.type, m, maxBytes);
    w.varint(m.prevLogIndex);
    w.varint(m.prevLogTerm);
    w.varint(m.leaderCommit);
    w.varint(m.entryTerm);
    writePiece(w, m);
    return seal(w);
  }

  function writePiece(w: ByteWriter, m: { total: number; offset: number; done: boolean; data: Uint8Array }): void {
    w.varint(m.total);
    w.varint(m.offset);
    w.byte(m.done ? 1 : 0);
    w.chunk(m.data);
  }

  /**
   * Consecutive AppendEntries, each a request the leader could have sent: entries k.. follow
   * prevLogIndex + k. An entry too large for a datagram goes alone, its command in chunks.
   */
  function splitAppendEntries(m: AppendEntries): Uint8Array[] {
    const encoded = m.entries.map((e, k) => encodeEntry(e, m.prevLogIndex + k + 1));
    const out: Uint8Array[] = [];
    let start = 0;
    do {
      let end = start;
      let size = 0;
      while (end < encoded.length && size + encoded[end]!.length <= budget) size += encoded[end++]!.length;
      const prev = start === 0 ? { index: m.prevLogIndex, term: m.prevLogTerm } : { index: logIndex(m.prevLogIndex + start), term: m.entries[start - 1]!.term };
      if (end > start || encoded.length === 0) {
        out.push(encodeAppendEntries({ ...m, prevLogIndex: prev.index, prevLogTerm: prev.term }, encoded.slice(start, end)));
      } else {
        out.push(...entryChunks(m, prev.index, prev.term, m.entries[start]!));
        end = start + 1;
      }
      start = end;
    } while (start < encoded.length);
    return out;
  }

  function entryChunks(m: AppendEntries, prevLogIndex: LogIndex, prevLogTerm: Term, entry: Entry): Uint8Array[] {
    const command = encodeCommand(entry, prevLogIndex + 1);
    const base = { type: 'AppendEntriesChunk', term: m.term, from: m.from, to: m.to, prevLogIndex, prevLogTerm, leaderCommit: m.leaderCommit, entryTerm: entry.term } as const;
    return chunksOf(command, budget, (offset, data, done) => encodeEntryChunk({ ...base, offset, total: command.length, done, data }));
  }

  function snapshotChunks(m: InstallSnapshot): Uint8Array[] {
    const base = { type: 'InstallSnapshotChunk', term: m.term, from: m.from, to: m.to, lastIncludedIndex: m.lastIncludedIndex, lastIncludedTerm: m.lastIncludedTerm } as const;
    return chunksOf(m.data, budget, (offset, data, done) => encodeSnapshotChunk({ ...base, offset, total: m.data.length, done, data }));
  }

  function encode(message: Message): Uint8Array[] {
    return match(message)
      .with({ type: 'AppendEntries' }, splitAppendEntries)
      .with({ type: 'InstallSnapshot' }, snapshotChunks)
      .otherwise((m) => [encodeDatagram(m)]);
  }

  /**
   * What can be refused from the length and the header alone, without throwing: a flood of garbage
   * then costs no tag, checksum or exception per datagram.
   */
  function screen(bytes: Uint8Array): string | null {
    const minimum = HEADER_BYTES + 3 + 4;
    if (bytes.length < minimum) return `${bytes.length} bytes, shorter than any datagram`;
    if (bytes.length > UDP_MAX_PAYLOAD) return `${bytes.length} bytes, longer than any datagram`;
    if (bytes[0] !== WIRE_VERSION) return `unknown version ${bytes[0]}`;
    const cluster = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0, true);
    if (cluster !== config.clusterId) return `cluster ${cluster}, not ${config.clusterId}`;
    return null;
  }

  function decode(bytes: Uint8Array): Decoded {
    const refused = screen(bytes);
    if (refused !== null) return { ok: false, cause: 'malformed', reason: refused };
    if (tagBytes !== 0) {
      // Too short for a tag is as unauthenticated as a wrong tag: most keyless datagrams are.
      if (bytes.length < HEADER_BYTES + 3 + 4 + TAG_BYTES) return { ok: false, cause: 'bad-mac', reason: 'too short to carry an authentication tag' };
      const body = bytes.subarray(0, bytes.length - TAG_BYTES);
      const received = bytes.subarray(body.length);
      if (!verifiers.some((key) => timingSafeEqual(tagWith(key, body), received))) {
        return { ok: false, cause: 'bad-mac', reason: 'authentication tag mismatch' };
      }
    }
    try {
      return { ok: true, datagram: parse(bytes.subarray(0, bytes.length - tagBytes)) };
    } catch (err) {
      if (err instanceof UnknownSender) return { ok: false, cause: 'unknown-sender', reason: err.message };
      return { ok: false, cause: 'malformed', reason: err instanceof MalformedBytes ? err.message : `unexpected: ${String(err)}` };
    }
  }

  /** A datagram that passed screen() and the tag check, without its tag. */
  function parse(body: Uint8Array): Datagram {
    const content = body.subarray(0, body.length - 4);
    const stored = new DataView(body.buffer, body.byteOffset + content.length, 4).getUint32(0, true);
    if (crc32(content) !== stored) throw new MalformedBytes('checksum mismatch', content.length);
    const r = new ByteReader(content);
    r.bytes(5); // version and cluster, screened
    const code = r.byte();
    const from = nodeId(r.varint());
    if (!members.has(from) || from === config.self) throw new UnknownSender(`sender ${from} is not a peer`, HEADER_BYTES);
    const to = nodeId(r.varint());
    if (to !== config.self) throw new MalformedBytes(`addressed to ${to}, not ${config.self}`, HEADER_BYTES);
    const termAt = r.offset;
    const t = term(r.varint());
    if (t > MAX_TERM) throw new MalformedBytes(`term ${t} is past the limit ${MAX_TERM}`, termAt);
    const env = { term: t, from, to };
    /** A term carried inside a message: Raft never sends one newer than the sender's own. */
    const innerTerm = (name: string): Term => {
      const at = r.offset;
      const v = r.varint();
      if (v > t) throw new MalformedBytes(`${name} ${v} is newer than the message's term ${t}`, at);
      return term(v);
    };
    const index = (): LogIndex => {
      const at = r.offset;
      const v = r.varint();
      if (v > MAX_INDEX) throw new MalformedBytes(`index ${v} is past the limit ${MAX_INDEX}`, at);
      return logIndex(v);
    };
    const d: Datagram = (() => {
      switch (code) {
        case TYPE_CODES.RequestVote:
          return { type: 'RequestVote', ...env, lastLogIndex: index(), lastLogTerm: innerTerm('lastLogTerm') };
        case TYPE_CODES.RequestVoteReply:
          return { type: 'RequestVoteReply', ...env, voteGranted: r.flag() };
        case TYPE_CODES.AppendEntries:
          return parseAppendEntries(r, env, index, innerTerm);
        case TYPE_CODES.AppendEntriesReply:
          return {
            type: 'AppendEntriesReply', ...env, success: r.flag(),
            matchIndex: index(), conflictIndex: index(), conflictTerm: innerTerm('conflictTerm'),
          };
        case TYPE_CODES.InstallSnapshotChunk:
          return parseChunk(r, env, index, innerTerm);
        case TYPE_CODES.InstallSnapshotReply:
          return { type: 'InstallSnapshotReply', ...env, matchIndex: index() };
        case TYPE_CODES.AppendEntriesChunk:
          return parseEntryChunk(r, env, index, innerTerm);
        default:
          throw new MalformedBytes(`unknown message type ${code}`, HEADER_BYTES - 1);
      }
    })();
    if (r.remaining !== 0) throw new MalformedBytes('trailing bytes', r.offset);
    return d;
  }

  /** What an AppendEntries and each chunk of a split one start with, after the envelope. */
  function appendHeader(index: () => LogIndex, innerTerm: (name: string) => Term): { prevLogIndex: LogIndex; prevLogTerm: Term; leaderCommit: LogIndex } {
    const prevLogIndex = index();
    const prevLogTerm = innerTerm('prevLogTerm');
    return { prevLogIndex, prevLogTerm, leaderCommit: index() };
  }

  /** Log terms never decrease (§5.3), so an entry older than the one before it is forged or damaged. */
  function checkEntryTerm(t: Term, last: Term, at: number): void {
    if (t < last || t === 0) throw new MalformedBytes(`entry term ${t} after term ${last}`, at);
  }

  function parseAppendEntries(
    r: ByteReader, env: { term: Term; from: NodeId; to: NodeId }, index: () => LogIndex, innerTerm: (name: string) => Term,
  ): AppendEntries {
    const { prevLogIndex, prevLogTerm, leaderCommit } = appendHeader(index, innerTerm);
    const countAt = r.offset;
    const count = r.varint();
    // Each entry takes at least two bytes; checking first keeps a forged count from allocating.
    if (count * 2 > r.remaining) throw new MalformedBytes(`${count} entries cannot fit`, countAt);
    if (prevLogIndex + count > MAX_INDEX) throw new MalformedBytes(`index ${prevLogIndex + count} is past the limit ${MAX_INDEX}`, countAt);
    const entries: Entry[] = [];
    let last = prevLogTerm;
    for (let i = 0; i < count; i++) {
      const at = r.offset;
      const t = innerTerm('entry term');
      checkEntryTerm(t, last, at);
      last = t;
      const raw = r.chunk();
      if (raw.length > maxCommand) throw new MalformedBytes(`command of ${raw.length} bytes is too large`, at);
      entries.push({ term: t, command: decodeCommand(raw, at) });
    }
    return { type: 'AppendEntries', ...env, prevLogIndex, prevLogTerm, entries, leaderCommit };
  }

  function decodeCommand(raw: Uint8Array, at: number): unknown {
    let command: unknown;
    try {
      command = commands.decode(raw);
    } catch (err) {
      throw new MalformedBytes(`command does not decode (${String(err)})`, at);
    }
    const again = commands.encode(command);
    if (again.length !== raw.length || again.some((b, i) => b !== raw[i])) throw new MalformedBytes('command is not in canonical form', at);
    return command;
  }

  function parseChunk(
    r: ByteReader, env: { term: Term; from: NodeId; to: NodeId }, index: () => LogIndex, innerTerm: (name: string) => Term,
  ): SnapshotChunk {
    const lastIncludedIndex = index();
    const lastIncludedTerm = innerTerm('lastIncludedTerm');
    return { type: 'InstallSnapshotChunk', ...env, lastIncludedIndex, lastIncludedTerm, ...parsePiece(r, 'snapshot', MAX_SNAPSHOT_BYTES) };
  }

  function parseEntryChunk(
    r: ByteReader, env: { term: Term; from: NodeId; to: NodeId }, index: () => LogIndex, innerTerm: (name: string) => Term,
  ): EntryChunk {
    const { prevLogIndex, prevLogTerm, leaderCommit } = appendHeader(index, innerTerm);
    const at = r.offset;
    const entryTerm = innerTerm('entry term');
    checkEntryTerm(entryTerm, prevLogTerm, at);
    if (prevLogIndex + 1 > MAX_INDEX) throw new MalformedBytes(`index ${prevLogIndex + 1} is past the limit ${MAX_INDEX}`, at);
    return { type: 'AppendEntriesChunk', ...env, prevLogIndex, prevLogTerm, leaderCommit, entryTerm, ...parsePiece(r, 'command', maxCommand) };
  }

  /** Where a chunk lies in its transfer, checked before anything is allocated for the transfer. */
  function parsePiece(r: ByteReader, what: string, max: number): { offset: number; total: number; done: boolean; data: Uint8Array } {
    const at = r.offset;
    const total = r.varint();
    const offset = r.varint();
    const done = r.flag();
    if (total > max) throw new MalformedBytes(`${what} of ${total} bytes is too large`, at);
    const data = r.chunk().slice();
    if (offset + data.length > total) throw new MalformedBytes(`chunk [${offset}, ${offset + data.length}) past the ${what}'s ${total} bytes`, at);
    if (done !== (offset + data.length === total)) throw new MalformedBytes('done flag disagrees with the chunk position', at);
    if (data.length === 0 && total !== 0) throw new MalformedBytes('empty chunk', at);
    return { offset, total, done, data };
  }

  function entryOf(chunk: EntryChunk, command: Uint8Array): ReturnType<WireCodec['entryOf']> {
    try {
      const { term: t, from, to, prevLogIndex, prevLogTerm, leaderCommit, entryTerm } = chunk;
      const entries = [{ term: entryTerm, command: decodeCommand(command, 0) }];
      return { ok: true, datagram: { type: 'AppendEntries', term: t, from, to, prevLogIndex, prevLogTerm, entries, leaderCommit } };
    } catch (err) {
      return { ok: false, reason: err instanceof MalformedBytes ? err.message : `unexpected: ${String(err)}` };
    }
  }

  return { encode, encodeDatagram, decode, entryOf };
}

/** `bytes` in pieces of at most `size`, at least one, done only on the last: §7's chunking. */
function chunksOf(bytes: Uint8Array, size: number, encode: (offset: number, data: Uint8Array, done: boolean) => Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  do {
    const data = bytes.subarray(offset, Math.min(bytes.length, offset + size));
    out.push(encode(offset, data, offset + data.length === bytes.length));
    offset += data.length;
  } while (offset < bytes.length);
  return out;
}
