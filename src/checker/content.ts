// Values as content: a structural encoding of plain data (numbers, booleans, null, strings,
// arrays, Uint8Arrays, objects with their keys in order) into 32-bit words, its inverse, and a
// table that gives each distinct content a small integer id (hash-consing). Two values with equal
// words are equal as data; the words are also how a value crosses to another thread, whose own
// table gives it its own id. Keys keep their order, not sorted: a decoded object is then built as
// an object literal with the same keys in the same order as the one encoded, so it gets the same
// hidden class, and the code that reads it (the model's steps and properties) stays monomorphic.
// (Objects decoded key by key had other shapes, which made every property read on them slower in
// the thread that received them.) Equal data built in two key orders interns twice, which costs a
// table entry, never a wrong answer: fingerprints are not made from ids.
import { Hasher } from './fingerprint-set.ts';

const enum Tag { Undefined, Null, False, True, Int, Float, String, Array, Bytes, Object }

const float = new Float64Array(1);
const floatWords = new Int32Array(float.buffer);

/** Appends the words of `v` to `out`. Throws on what is not plain data (functions, maps, cycles). */
export function encodeValue(v: unknown, out: number[]): void {
  switch (typeof v) {
    case 'undefined': out.push(Tag.Undefined); return;
    case 'boolean': out.push(v ? Tag.True : Tag.False); return;
    case 'number':
      if ((v | 0) === v && !Object.is(v, -0)) out.push(Tag.Int, v);
      else { float[0] = v; out.push(Tag.Float, floatWords[0]!, floatWords[1]!); }
      return;
    case 'string': out.push(Tag.String); encodeString(v, out); return;
    case 'object': {
      if (v === null) { out.push(Tag.Null); return; }
      if (Array.isArray(v)) { out.push(Tag.Array, v.length); for (const x of v) encodeValue(x, out); return; }
      if (v instanceof Uint8Array) { out.push(Tag.Bytes, v.length); for (const b of v) out.push(b); return; }
      if (Object.getPrototypeOf(v) !== Object.prototype) throw new Error(`cannot encode ${Object.prototype.toString.call(v)} as content`);
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record);
      out.push(Tag.Object, keys.length);
      for (const k of keys) { encodeString(k, out); encodeValue(record[k], out); }
      return;
    }
    default: throw new Error(`cannot encode a ${typeof v} as content`);
  }
}

function encodeString(s: string, out: number[]): void {
  out.push(s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

const literals = new Map<string, (values: unknown[]) => Record<string, unknown>>();

/** A function returning an object literal with these keys (made once per key list). */
function literalOf(keys: string[]): (values: unknown[]) => Record<string, unknown> {
  const key = keys.join('\0');
  let make = literals.get(key);
  if (make === undefined) {
    const fields = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
    make = new Function('v', `return { ${fields} };`) as (values: unknown[]) => Record<string, unknown>;
    literals.set(key, make);
  }
  return make;
}

/** Reads values back from words, from `at` on. */
export class ContentReader {
  constructor(private readonly words: ArrayLike<number>, public at = 0) {}

  value(): unknown {
    const tag = this.words[this.at++] as Tag;
    switch (tag) {
      case Tag.Undefined: return undefined;
      case Tag.Null: return null;
      case Tag.False: return false;
      case Tag.True: return true;
      case Tag.Int: return this.words[this.at++];
      case Tag.Float: floatWords[0] = this.words[this.at++]!; floatWords[1] = this.words[this.at++]!; return float[0];
      case Tag.String: return this.string();
      case Tag.Array: { const n = this.words[this.at++]!; const a: unknown[] = []; for (let i = 0; i < n; i++) a.push(this.value()); return a; }
      case Tag.Bytes: { const n = this.words[this.at++]!; const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = this.words[this.at++]!; return b; }
      case Tag.Object: {
        const n = this.words[this.at++]!;
        const keys: string[] = [], values: unknown[] = [];
        for (let i = 0; i < n; i++) { keys.push(this.string()); values.push(this.value()); }
        return literalOf(keys)(values);
      }
      default: throw new Error(`malformed content: tag ${String(tag)} at word ${this.at - 1}`);
    }
  }

  word(): number { return this.words[this.at++]!; }

  private string(): string {
    const n = this.words[this.at++]!;
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.words[this.at++]!);
    return s;
  }
}

const hasher = new Hasher();

/**
 * Hash-consing: the first value seen with a given content keeps it; later ones with the same
 * words get its id. Content words are kept (to compare on a hash match, and to send a value to
 * another thread), so equal hashes never merge different values.
 */
export class InternTable<T> {
  readonly values: T[] = [];
  private pool = new Int32Array(1 << 12);
  private poolSize = 0;
  /** start[id], start[id + 1]: where the id's words lie in the pool. */
  private start: number[] = [0];
  private hashes: number[] = [];
  private slots = new Int32Array(1 << 10);

  get size(): number { return this.values.length; }

  /** The id of the content `words`, adding the value `make` gives if the content is new. */
  intern(words: ArrayLike<number>, make: () => T): number {
    hasher.reset(words.length);
    for (let i = 0; i < words.length; i++) hasher.add(words[i]!);
    const { hi, lo } = hasher.digest();
    const mask = this.slots.length - 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const id = this.slots[slot]! - 1;
      if (id === -1) break;
      if (this.hashes[2 * id] === hi && this.hashes[2 * id + 1] === lo && this.equals(id, words)) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.values.length;
    this.values.push(make());
    this.hashes.push(hi, lo);
    if (this.poolSize + words.length > this.pool.length) {
      const grown = new Int32Array(Math.max(this.pool.length * 2, this.poolSize + words.length));
      grown.set(this.pool.subarray(0, this.poolSize));
      this.pool = grown;
    }
    for (let i = 0; i < words.length; i++) this.pool[this.poolSize++] = words[i]!;
    this.start.push(this.poolSize);
    this.slots[slot] = id + 1;
    if (this.values.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** The content words of `id`. */
  content(id: number): Int32Array { return this.pool.subarray(this.start[id]!, this.start[id + 1]!); }

  /** Bytes held by the table itself (not counting the values). */
  get bytes(): number { return this.pool.byteLength + this.slots.byteLength + this.start.length * 8 + this.hashes.length * 8; }

  private equals(id: number, words: ArrayLike<number>): boolean {
    const from = this.start[id]!;
    if (this.start[id + 1]! - from !== words.length) return false;
    for (let i = 0; i < words.length; i++) if (this.pool[from + i] !== words[i]) return false;
    return true;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let id = 0; id < this.values.length; id++) {
      let slot = (this.hashes[2 * id + 1]! ^ Math.imul(this.hashes[2 * id]!, 0x9e3779b1)) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = id + 1;
    }
  }
}
