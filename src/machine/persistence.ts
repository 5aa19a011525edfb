// The durable form of a node's persistent state (Figure 2 plus the §7 snapshot), as bytes:
// compact (varints), versioned, and checksummed, so a damaged record is refused, never misread.
import { logIndex, nodeId, term, type Command, type Entry, type PersistentState } from './types.ts';

/** How commands become bytes. Commands are opaque to the machine; the host chooses. */
export interface CommandCodec {
  encode(command: Command): Uint8Array;
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

export class CorruptStateError extends Error {
  constructor(reason: string, readonly offset: number) {
    super(`persisted Raft state is corrupt at byte ${offset}: ${reason}`);
    this.name = 'CorruptStateError';
  }
}

export function encodePersistentState(p: PersistentState, commands: CommandCodec = jsonCommands): Uint8Array {
  const w = new Writer();
  w.bytes(Uint8Array.from([...MAGIC, VERSION]));
  w.varint(p.currentTerm);
  w.varint(p.votedFor === null ? 0 : p.votedFor + 1);
  w.varint(p.log.snapshotIndex);
  w.varint(p.log.snapshotTerm);
  w.varint(p.log.entries.length);
  for (const e of p.log.entries) {
    w.varint(e.term);
    w.chunk(commands.encode(e.command));
  }
  w.chunk(p.snapshot);
  w.uint32(crc32(w.view()));
  return w.view();
}

export function decodePersistentState(bytes: Uint8Array, commands: CommandCodec = jsonCommands): PersistentState {
  if (bytes.length < 7) throw new CorruptStateError(`too short (${bytes.length} bytes)`, 0);
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + body.length, 4).getUint32(0, true);
  if (crc32(body) !== stored) throw new CorruptStateError('checksum mismatch', body.length);
  const r = new Reader(body);
  if (r.byte() !== MAGIC[0] || r.byte() !== MAGIC[1]) throw new CorruptStateError('not a Raft state record', 0);
  const version = r.byte();
  if (version !== VERSION) throw new CorruptStateError(`unknown version ${version}`, 2);
  const currentTerm = term(r.varint());
  const voted = r.varint();
  const snapshotIndex = logIndex(r.varint());
  const snapshotTerm = term(r.varint());
  const count = r.varint();
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const t = term(r.varint());
    const at = r.offset;
    const raw = r.chunk();
    try {
      entries.push({ term: t, command: commands.decode(raw) });
    } catch (err) {
      throw new CorruptStateError(`command ${i + 1} does not decode (${(err as Error).message})`, at);
    }
  }
  const snapshot = r.chunk().slice();
  if (r.offset !== body.length) throw new CorruptStateError('trailing bytes', r.offset);
  return {
    currentTerm,
    votedFor: voted === 0 ? null : nodeId(voted - 1),
    log: { snapshotIndex, snapshotTerm, entries },
    snapshot,
  };
}

class Writer {
  private buf = new Uint8Array(256);
  private len = 0;
  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }
  bytes(b: Uint8Array): void { this.reserve(b.length); this.buf.set(b, this.len); this.len += b.length; }
  /** Unsigned LEB128, exact for integers up to 2^53. */
  varint(n: number): void {
    this.reserve(8);
    while (n >= 0x80) { this.buf[this.len++] = (n % 0x80) | 0x80; n = Math.floor(n / 0x80); }
    this.buf[this.len++] = n;
  }
  chunk(b: Uint8Array): void { this.varint(b.length); this.bytes(b); }
  uint32(n: number): void { this.reserve(4); new DataView(this.buf.buffer).setUint32(this.len, n, true); this.len += 4; }
  view(): Uint8Array { return this.buf.subarray(0, this.len); }
}

class Reader {
  offset = 0;
  constructor(private readonly buf: Uint8Array) {}
  byte(): number {
    if (this.offset >= this.buf.length) throw new CorruptStateError('ends early', this.offset);
    return this.buf[this.offset++]!;
  }
  varint(): number {
    const start = this.offset;
    let n = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (scale > 2 ** 49) throw new CorruptStateError('number too large', start);
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
    }
  }
  chunk(): Uint8Array {
    const at = this.offset;
    const n = this.varint();
    if (n > this.buf.length - this.offset) throw new CorruptStateError(`length ${n} runs past the end`, at);
    this.offset += n;
    return this.buf.subarray(this.offset - n, this.offset);
  }
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
