// The durable form of a node's persistent state (Figure 2 plus the §7 snapshot), as bytes:
// compact (varints), versioned, and checksummed, so a damaged record is refused, never misread.
import { ByteReader, ByteWriter, MalformedBytes } from './bytes.ts';
import { logIndex, nodeId, term, type Command, type Entry, type PersistentState } from './types.ts';

/** How commands become bytes. Commands are opaque to the machine; the host chooses. */
export interface CommandCodec {
  /** The bytes of `command`; must be what {@link CommandCodec.decode} turns back into an equal command. */
  encode(command: Command): Uint8Array;
  /** The command whose bytes these are; throws on bytes `encode` would not produce (the record is then refused as corrupt). */
  decode(bytes: Uint8Array): Command;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Commands as JSON text: numbers, strings, arrays and plain objects. */
export const jsonCommands: CommandCodec = {
  encode: (command) => utf8.encode(JSON.stringify(command)),
  decode: (bytes) => JSON.parse(fromUtf8.decode(bytes)),
};

const MAGIC = [0x52, 0x46] as const; // "RF"
const VERSION = 1;

/**
 * Thrown by {@link decodePersistentState} for bytes that are not an intact record: wrong magic or version,
 * checksum mismatch, truncation, trailing bytes. `offset` is where it went wrong. Never a partial state.
 */
export class CorruptStateError extends Error {
  constructor(reason: string, readonly offset: number) {
    super(`persisted Raft state is corrupt at byte ${offset}: ${reason}`);
    this.name = 'CorruptStateError';
  }
}

/**
 * A node's {@link PersistentState} as one self-checking record: magic "RF", version, varint fields,
 * the entries through `commands`, the snapshot, and a CRC-32 of it all: what a host can write to carry
 * out a `persist` effect.
 */
export function encodePersistentState(p: PersistentState, commands: CommandCodec = jsonCommands): Uint8Array {
  const w = new ByteWriter();
  w.bytes(Uint8Array.from([...MAGIC, VERSION]));
  w.varint(p.currentTerm);
  w.varint(p.votedFor === null ? 0 : p.votedFor + 1);
  w.varint(p.log.snapshotIndex);
  w.varint(p.log.snapshotTerm);
  w.varint(p.log.entries.length);
  writeEntries(w, p.log.entries, commands);
  w.chunk(p.snapshot);
  w.uint32(crc32(w.view()));
  return w.view();
}

/**
 * The state {@link encodePersistentState} wrote, with the same `commands` codec; throws
 * {@link CorruptStateError} on any damage rather than return a state that was never persisted.
 */
export function decodePersistentState(bytes: Uint8Array, commands: CommandCodec = jsonCommands): PersistentState {
  try {
    return readPersistentState(bytes, commands);
  } catch (err) {
    if (err instanceof MalformedBytes) throw new CorruptStateError(err.reason, err.offset);
    throw err;
  }
}

/** Writes each entry as its term and its length-prefixed command (the runtime's log records too). */
export function writeEntries(w: ByteWriter, entries: readonly Entry[], commands: CommandCodec): void {
  for (const e of entries) {
    w.varint(e.term);
    w.chunk(commands.encode(e.command));
  }
}

/** Reads `count` entries written by writeEntries and appends them to `into`. */
export function readEntries(r: ByteReader, count: number, commands: CommandCodec, into: Entry[]): void {
  for (let i = 0; i < count; i++) {
    const t = term(r.varint());
    const at = r.offset;
    const raw = r.chunk();
    let command: Command;
    try {
      command = commands.decode(raw);
    } catch (err) {
      throw new MalformedBytes(`command ${i + 1} does not decode (${(err as Error).message})`, at);
    }
    into.push({ term: t, command });
  }
}

function readPersistentState(bytes: Uint8Array, commands: CommandCodec): PersistentState {
  if (bytes.length < 7) throw new CorruptStateError(`too short (${bytes.length} bytes)`, 0);
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + body.length, 4).getUint32(0, true);
  if (crc32(body) !== stored) throw new CorruptStateError('checksum mismatch', body.length);
  const r = new ByteReader(body);
  if (r.byte() !== MAGIC[0] || r.byte() !== MAGIC[1]) throw new CorruptStateError('not a Raft state record', 0);
  const version = r.byte();
  if (version !== VERSION) throw new CorruptStateError(`unknown version ${version}`, 2);
  const currentTerm = term(r.varint());
  const voted = r.varint();
  const snapshotIndex = logIndex(r.varint());
  const snapshotTerm = term(r.varint());
  const count = r.varint();
  const entries: Entry[] = [];
  readEntries(r, count, commands, entries);
  const snapshot = r.chunk().slice();
  if (r.offset !== body.length) throw new CorruptStateError('trailing bytes', r.offset);
  return {
    currentTerm,
    votedFor: voted === 0 ? null : nodeId(voted - 1),
    log: { snapshotIndex, snapshotTerm, entries },
    snapshot,
  };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), as zlib computes it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
