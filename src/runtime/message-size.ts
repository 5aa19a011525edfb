// How many bytes a message would take on the wire, for traffic counters and the lab's byte
// budget (TestRPCBytes3B): varint numbers, commands by their encoded length. An estimate close to
// a compact binary codec, cheap enough to run on every message.
import type { Command, Entry, Message } from '../machine/index.ts';

/** The bytes of `n` as a varint. */
export const varintBytes = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 8);

const utf8 = new TextEncoder();

function commandSize(command: Command): number {
  const bytes =
    typeof command === 'string' ? (/^[\x00-\x7f]*$/.test(command) ? command.length : utf8.encode(command).length)
    : typeof command === 'number' ? 8
    : command instanceof Uint8Array ? command.length
    : utf8.encode(JSON.stringify(command) ?? '').length;
  return varintBytes(bytes) + bytes;
}

const entriesSize = (entries: readonly Entry[]): number => {
  let n = varintBytes(entries.length);
  for (const e of entries) n += varintBytes(e.term) + commandSize(e.command);
  return n;
};

/**
 * Bytes `m` would take in a compact binary encoding (varint numbers, commands by encoded length): an
 * estimate for traffic counters and the lab's byte budget, not the size of a UDP datagram.
 */
export function messageSize(m: Message): number {
  const header = 1 + varintBytes(m.term) + varintBytes(m.from) + varintBytes(m.to);
  // A switch, not ts-pattern: this runs on every message, and matching was a measurable share of
  // the CPU per operation in bench:memory.
  switch (m.type) {
    case 'RequestVote': return header + varintBytes(m.lastLogIndex) + varintBytes(m.lastLogTerm);
    case 'RequestVoteReply': return header + 1;
    case 'AppendEntries': return header + varintBytes(m.prevLogIndex) + varintBytes(m.prevLogTerm) + varintBytes(m.leaderCommit) + entriesSize(m.entries);
    case 'AppendEntriesReply': return header + 1 + varintBytes(m.matchIndex) + varintBytes(m.conflictIndex) + varintBytes(m.conflictTerm);
    case 'InstallSnapshot': return header + varintBytes(m.lastIncludedIndex) + varintBytes(m.lastIncludedTerm) + varintBytes(m.data.length) + m.data.length;
    case 'InstallSnapshotReply': return header + varintBytes(m.matchIndex);
    default: return unreachable(m);
  }
}

function unreachable(x: never): never {
  throw new Error(`unknown message ${JSON.stringify(x)}`);
}
