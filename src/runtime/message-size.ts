// How many bytes a message would take on the wire, for traffic counters and the lab's byte
// budget (TestRPCBytes3B): varint numbers, commands by their encoded length. An estimate close to
// a compact binary codec, cheap enough to run on every message.
import { match } from 'ts-pattern';
import type { Command, Entry, Message } from '../machine/index.ts';

const varint = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 8);

const utf8 = new TextEncoder();

function commandSize(command: Command): number {
  const bytes =
    typeof command === 'string' ? (/^[\x00-\x7f]*$/.test(command) ? command.length : utf8.encode(command).length)
    : typeof command === 'number' ? 8
    : command instanceof Uint8Array ? command.length
    : utf8.encode(JSON.stringify(command) ?? '').length;
  return varint(bytes) + bytes;
}

const entriesSize = (entries: readonly Entry[]): number => {
  let n = varint(entries.length);
  for (const e of entries) n += varint(e.term) + commandSize(e.command);
  return n;
};

export function messageSize(m: Message): number {
  const header = 1 + varint(m.term) + varint(m.from) + varint(m.to);
  return header + match(m)
    .with({ type: 'RequestVote' }, (r) => varint(r.lastLogIndex) + varint(r.lastLogTerm))
    .with({ type: 'RequestVoteReply' }, () => 1)
    .with({ type: 'AppendEntries' }, (a) => varint(a.prevLogIndex) + varint(a.prevLogTerm) + varint(a.leaderCommit) + entriesSize(a.entries))
    .with({ type: 'AppendEntriesReply' }, (r) => 1 + varint(r.matchIndex) + varint(r.conflictIndex) + varint(r.conflictTerm))
    .with({ type: 'InstallSnapshot' }, (s) => varint(s.lastIncludedIndex) + varint(s.lastIncludedTerm) + varint(s.data.length) + s.data.length)
    .with({ type: 'InstallSnapshotReply' }, (r) => varint(r.matchIndex))
    .exhaustive();
}
