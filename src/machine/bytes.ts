// Byte buffers for the persisted-state codec here and the runtime's wire and disk formats: a
// growing writer and a strict reader. The reader refuses anything an encoder would not have
// written (overlong varints, numbers past 2^53, reads past the end), so accepted input always
// re-encodes to the same bytes.

/** Why some bytes were refused, and where. Thrown by the reader; the decoders turn it into a result. */
export class MalformedBytes extends Error {
  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} at byte ${offset}`);
    this.name = 'MalformedBytes';
  }
}

/** Appends bytes to a buffer that doubles as it fills; read the result with `view()`. Integers are little-endian. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;
  constructor(capacity = 256) { this.buf = new Uint8Array(capacity); }
  get length(): number { return this.len; }
  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }
  /** One byte, 0–255. */
  byte(b: number): void { this.reserve(1); this.buf[this.len++] = b; }
  /** Raw bytes, with no length: the reader must know how many to take. */
  bytes(b: Uint8Array): void { this.reserve(b.length); this.buf.set(b, this.len); this.len += b.length; }
  /** Unsigned LEB128, exact for integers up to 2^53. */
  varint(n: number): void {
    // Writing what the reader refuses would leave a record nobody can read back; fail the write instead.
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${n} is not a number the reader accepts`);
    this.reserve(8);
    while (n >= 0x80) { this.buf[this.len++] = (n % 0x80) | 0x80; n = Math.floor(n / 0x80); }
    this.buf[this.len++] = n;
  }
  /** A length-prefixed byte string. */
  chunk(b: Uint8Array): void { this.varint(b.length); this.bytes(b); }
  /** A 32-bit unsigned integer in 4 bytes, little-endian (the checksum slot of our records). */
  uint32(n: number): void {
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(this.len, n, true);
    this.len += 4;
  }
  /** The bytes written so far; a view, valid until the next write. */
  view(): Uint8Array { return this.buf.subarray(0, this.len); }
}

/**
 * Reads what a {@link ByteWriter} wrote, from `offset` on, and throws {@link MalformedBytes} at the
 * first byte an encoder would not have written.
 */
export class ByteReader {
  offset = 0;
  constructor(private readonly buf: Uint8Array) {}
  get remaining(): number { return this.buf.length - this.offset; }
  /** One byte; throws if none is left. */
  byte(): number {
    if (this.offset >= this.buf.length) throw new MalformedBytes('ends early', this.offset);
    return this.buf[this.offset++]!;
  }
  /** A boolean written as the byte 0 or 1; any other byte is refused. */
  flag(): boolean {
    const at = this.offset;
    const b = this.byte();
    if (b > 1) throw new MalformedBytes(`flag is ${b}, not 0 or 1`, at);
    return b === 1;
  }
  /** Unsigned LEB128 in its shortest form, at most 2^53 − 1; overlong or larger encodings are refused. */
  varint(): number {
    const start = this.offset;
    let n = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (n > Number.MAX_SAFE_INTEGER) throw new MalformedBytes('number too large', start);
      if (b < 0x80) {
        if (b === 0 && scale > 1) throw new MalformedBytes('overlong number', start);
        return n;
      }
    }
  }
  /** A length-prefixed byte string (see {@link ByteWriter.chunk}), as a view into the input, not a copy. */
  chunk(): Uint8Array {
    const at = this.offset;
    const n = this.varint();
    if (n > this.remaining) throw new MalformedBytes(`length ${n} runs past the end`, at);
    this.offset += n;
    return this.buf.subarray(this.offset - n, this.offset);
  }
  /** The next `n` bytes, as a view into the input, not a copy. */
  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw new MalformedBytes(`${n} bytes run past the end`, this.offset);
    this.offset += n;
    return this.buf.subarray(this.offset - n, this.offset);
  }
  /** A 32-bit unsigned integer from 4 bytes, little-endian. */
  uint32(): number {
    const b = this.bytes(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
}
