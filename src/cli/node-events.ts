// What `raft node --json` prints, one JSON object per line, for programs that drive nodes (the
// cluster view, the end-to-end test, the benchmark). Proposals go the other way: one command per
// line on the node's stdin, numbered 1, 2, 3... in the order read; acks and refusals carry that number.
import type { Role } from '../machine/index.ts';

export type NodeEvent =
  | { readonly event: 'ready'; readonly id: number; readonly pid: number }
  | { readonly event: 'status'; readonly role: Role; readonly term: number; readonly logLength: number; readonly commitIndex: number }
  | { readonly event: 'applied'; readonly index: number; readonly term: number; readonly command: unknown }
  /** With --print-applied: the node's state now comes from a snapshot through `index` (at a restart, or sent by the leader). */
  | { readonly event: 'snapshot'; readonly index: number; readonly term: number }
  /** The command of stdin line `line` is committed and applied at `index`. */
  | { readonly event: 'ack'; readonly line: number; readonly index: number }
  /** Not the leader: the command of line `line` was not taken. */
  | { readonly event: 'rejected'; readonly line: number }
  /** The line is not a command in the node's --input mode (not base64): nothing was proposed. */
  | { readonly event: 'invalid'; readonly line: number; readonly reason: string }
  /** The command of line `line` takes `bytes` bytes, above --max-command-bytes: it was not taken. */
  | { readonly event: 'oversized'; readonly line: number; readonly bytes: number; readonly maxBytes: number }
  /** Another leader's entry took the command's place in the log: it will never commit. */
  | { readonly event: 'lost'; readonly line: number };

export function parseNodeEvent(line: string): NodeEvent | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && 'event' in value ? (value as NodeEvent) : null;
  } catch {
    return null;
  }
}

/** A stdin line as a command: JSON if it parses as JSON, the text itself otherwise. */
export function commandOfLine(line: string): unknown {
  // A failed parse throws, and a thrown error costs more than the rest of a proposal: try only
  // what can start a JSON value.
  if (!/^\s*([[{"\-\d]|true|false|null)/.test(line)) return line;
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}
