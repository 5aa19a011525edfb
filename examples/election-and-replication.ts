// A 3-node cluster driven by hand through the pure machine, printed step by step: one
// election, two proposals, replication and commit. No runtime, no timers: the host loop below
// is all a machine needs. Run: npm run demo
import { match } from 'ts-pattern';
import {
  deriveStepper, initialNode, log, nodeId, persistentStateOf,
  type Message, type NodeId, type NodeSnapshot, type PersistentState, type RaftEvent,
} from '../src/machine/index.ts';
import { commandLine } from '../scripts/command-line.ts';

commandLine(`usage: npm run demo
Drives a 3-node cluster by hand through the pure machine and prints every step: one election, two
proposals, replication and commit. Each line shows the node's role, term, log length and commit
index after the event, and in brackets what the step did: role changes, what it saved to disk,
what it applied.`, {});

const step = deriveStepper();
const members = [1, 2, 3].map(nodeId);
const nodes = new Map<NodeId, NodeSnapshot>(members.map((id) => [id, initialNode({ id, members })]));
const durable = new Map<NodeId, PersistentState>();
const inFlight: Message[] = [];

const describe = (e: RaftEvent): string => match(e)
  .with({ type: 'RequestVote' }, (m) => `RequestVote(term ${m.term}, last ${m.lastLogIndex}/${m.lastLogTerm}) from ${m.from}`)
  .with({ type: 'RequestVoteReply' }, (m) => `vote ${m.voteGranted ? 'granted' : 'refused'} (term ${m.term}) from ${m.from}`)
  .with({ type: 'AppendEntries' }, (m) => `AppendEntries(term ${m.term}, prev ${m.prevLogIndex}/${m.prevLogTerm}, ${m.entries.length} entries, commit ${m.leaderCommit}) from ${m.from}`)
  .with({ type: 'AppendEntriesReply' }, (m) => `AppendEntries ${m.success ? `ok through ${m.matchIndex}` : 'refused'} from ${m.from}`)
  .with({ type: 'InstallSnapshot' }, (m) => `InstallSnapshot(through ${m.lastIncludedIndex}) from ${m.from}`)
  .with({ type: 'InstallSnapshotReply' }, (m) => `snapshot installed through ${m.matchIndex} at ${m.from}`)
  .with({ type: 'ElectionTimeout' }, () => 'election timeout')
  .with({ type: 'HeartbeatDue' }, () => 'heartbeat due')
  .with({ type: 'Propose' }, (e) => `propose ${JSON.stringify(e.commands)}`)
  .with({ type: 'Snapshot' }, (e) => `service snapshot through ${e.index}`)
  .with({ type: 'Restart' }, () => 'restart from durable state')
  .with({ type: 'LogDurable' }, (e) => `own write durable through ${e.index}`)
  .exhaustive();

const initialLog = nodes.get(members[0]!)!.state.log;

/** What a save changed on disk, in words: the term, the vote, the log. */
function saved(before: PersistentState | undefined, after: PersistentState): string {
  const what: string[] = [];
  if (after.currentTerm !== (before?.currentTerm ?? 0)) what.push(`term ${after.currentTerm}`);
  if (after.votedFor !== (before?.votedFor ?? null)) what.push(after.votedFor === null ? 'no vote' : `vote for node ${after.votedFor}`);
  if (after.log !== (before?.log ?? initialLog)) what.push(`log through index ${log.lastIndex(after.log)}`);
  return `saved ${what.length === 0 ? 'its state (unchanged)' : what.join(', ')} to disk`;
}

let n = 0;
function fire(id: NodeId, event: RaftEvent): void {
  const before = nodes.get(id)!;
  const r = step(before, event);
  nodes.set(id, r);
  const notes: string[] = [];
  const landed: RaftEvent[] = [];
  if (r.role !== before.role) notes.push(`${before.role} → ${r.role}`);
  // A step may ask to persist more than once (a new term, then a vote); every save writes the state
  // the step ended with, so one note says what they changed together.
  const wasDurable = durable.get(id);
  if (r.effects.some((e) => e.type === 'persist')) notes.push(saved(wasDurable, persistentStateOf(r.state)));
  for (const effect of r.effects) {
    match(effect)
      .with({ type: 'persist' }, () => durable.set(id, persistentStateOf(r.state)))
      // Written at once here, so the write lands before anything else happens to this node.
      .with({ type: 'persistInParallel' }, ({ term, index }) => { durable.set(id, persistentStateOf(r.state)); notes.push(saved(wasDurable, persistentStateOf(r.state))); landed.push({ type: 'LogDurable', term, index }); })
      .with({ type: 'send' }, ({ message }) => inFlight.push(message))
      .with({ type: 'applyEntries' }, (a) => notes.push(`applies ${a.entries.map((e, i) => `${a.first + i}:${JSON.stringify(e.command)}`).join(' ')}`))
      .with({ type: 'applySnapshot' }, (a) => notes.push(`restores snapshot through ${a.index}`))
      .with({ type: 'resetElectionTimer' }, { type: 'resetHeartbeatTimer' }, () => {})
      .exhaustive();
  }
  const s = r.state;
  console.log(`${String(++n).padStart(3)}  node ${id} ${r.role.padEnd(9)} term ${s.currentTerm}  log ${s.log.entries.length}  commit ${s.commitIndex}  ← ${describe(event)}${notes.length ? `  [${notes.join('; ')}]` : ''}`);
  for (const e of landed) fire(id, e);
}

function deliverAll(): void {
  while (inFlight.length > 0) {
    const m = inFlight.shift()!;
    fire(m.to, m);
  }
}

console.log('Node 1 times out first and asks for votes:');
fire(nodeId(1), { type: 'ElectionTimeout' });
deliverAll();
console.log('\nA client proposes two commands to the leader:');
fire(nodeId(1), { type: 'Propose', commands: ['x=1', 'y=2'] });
deliverAll();
console.log('\nThe next heartbeat carries the commit index to the followers:');
fire(nodeId(1), { type: 'HeartbeatDue' });
deliverAll();

const agreed = members.every((id) => nodes.get(id)!.state.commitIndex === 2);
console.log(`\n${agreed ? 'All three nodes committed and applied both commands.' : 'The cluster did not agree: this is a bug.'}`);
process.exitCode = agreed ? 0 : 1;
