// The bug zoo (shared/reference bug-zoo.md): each known Raft bug as a named mutant of our own
// rules, written as a small variant of the shipped handler or guard. The statechart's routing
// is untouched; only the named rule changes.
import {
  applyCommitted, handlers, guards, isMessage, log, logIndex, quorum, term,
  type Effect, type Handler, type LogIndex, type Overrides, type RaftState,
} from '../../machine/index.ts';
import type { Bounds } from './cluster.ts';

/** A deliberately broken variant of one rule (the bug zoo, docs/bug-zoo.md) and what the checker must catch in it. */
export interface Mutant {
  readonly id: string;
  readonly name: string;
  readonly bug: string;
  /**
   * The property the checker is expected to find broken, or null for a bug that is not a safety
   * bug on its own in this implementation (the test then checks that exhaustively).
   */
  readonly breaks: string | null;
  /** Bounds within which the checker finds it (BFS, so the trace is shortest). */
  readonly bounds: Bounds;
  /**
   * For a bug no BFS within a test's time reaches: the swarm walk of seed 1 (depth 200, the
   * default run's draws) that finds it, which the test and npm run bug-zoo rerun instead; `bounds`
   * are then the ones that walk drew.
   */
  readonly walk?: number;
  readonly overrides: Overrides;
}

const base: Bounds = { nodes: 3, maxTerm: 2, proposals: 0, maxInFlight: 4, drops: 0, duplicates: 0, crashes: 0, snapshots: 0 };

/** Runs `h` and then changes its result. */
const after = (h: Handler, change: (before: RaftState, r: ReturnType<Handler>, e: Parameters<Handler>[1]) => ReturnType<Handler>): Handler =>
  (s, e) => change(s, h(s, e), e);

const repliedSuccess = (r: ReturnType<Handler>): boolean =>
  r.effects.some((x) => x.type === 'send' && x.message.type === 'AppendEntriesReply' && x.message.success);

/** Raises commitIndex to `to` (never lowers it) and applies, as AE.5 does. */
function commitTo(r: ReturnType<Handler>, to: LogIndex): ReturnType<Handler> {
  if (to <= r.state.commitIndex) return r;
  const effects = [...r.effects];
  return { state: applyCommitted({ ...r.state, commitIndex: to }, effects), effects };
}

/** The same effects with the persist moved after everything else. */
const persistLast = (effects: readonly Effect[]): Effect[] =>
  [...effects.filter((x) => x.type !== 'persist'), ...effects.filter((x) => x.type === 'persist')];

/** The bug zoo: each mutant replaces handlers or guards through Overrides, the statechart unchanged. */
export const mutants: readonly Mutant[] = [
  {
    id: 'Z1', name: 'figure8-commit', breaks: 'CommittedSurvivesElection',
    bug: 'a leader commits an entry of an earlier term by counting replicas (no log[N].term == currentTerm check)',
    bounds: { ...base, maxTerm: 3, proposals: 2, maxInFlight: 4 },
    overrides: {
      handlers: {
        handleAppendEntriesReply: after(handlers.handleAppendEntriesReply, (_, r) => {
          const s = r.state;
          // Counts as L.6 does, the leader through its own matchIndex (PW.1), without its term check.
          const n = quorum.majorityMatchIndex(s.members.map((p) => s.matchIndex[p] ?? logIndex(0)));
          if (n <= s.commitIndex) return r;
          const effects: Effect[] = [...r.effects];
          return { state: applyCommitted({ ...s, commitIndex: n }, effects), effects };
        }),
      },
    },
  },
  {
    id: 'Z2', name: 'double-vote', breaks: 'PromisesAreDurable',
    bug: 'a voter grants every RequestVote of its current term, ignoring votedFor',
    bounds: base,
    overrides: { handlers: { handleRequestVote: (s, e) => handlers.handleRequestVote({ ...s, votedFor: null }, e) } },
  },
  {
    id: 'Z3', name: 'vote-not-persisted', breaks: 'PromisesAreDurable',
    bug: 'votedFor is not persisted, so a restarted node has forgotten its vote',
    bounds: { ...base, crashes: 1 },
    overrides: { handlers: { restart: (s, e) => handlers.restart(s, e.type === 'Restart' ? { ...e, persisted: { ...e.persisted, votedFor: null } } : e) } },
  },
  {
    id: 'Z4', name: 'term-not-persisted', breaks: 'TermsNeverDecrease',
    bug: 'currentTerm is not persisted, so a restarted node is back in term 0',
    bounds: { ...base, crashes: 1 },
    overrides: { handlers: { restart: (s, e) => handlers.restart(s, e.type === 'Restart' ? { ...e, persisted: { ...e.persisted, currentTerm: term(0) } } : e) } },
  },
  {
    id: 'Z5', name: 'vote-cleared-on-append', breaks: 'PromisesAreDurable',
    bug: 'votedFor is cleared whenever a batch of AppendEntries is handled, not only on a new term (redpanda PR #19)',
    bounds: { ...base, maxInFlight: 5 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (before, r, e) =>
          isMessage(e) && e.term === before.currentTerm ? { ...r, state: { ...r.state, votedFor: null } } : r),
      },
    },
  },
  {
    id: 'Z6', name: 'no-election-restriction', breaks: 'LeaderCompleteness',
    bug: "a voter skips the check that the candidate's log is at least as up-to-date as its own",
    bounds: { ...base, maxTerm: 3, proposals: 1, maxInFlight: 3 },
    overrides: {
      handlers: {
        handleRequestVote: (s, e) => {
          const r = handlers.handleRequestVote({ ...s, log: log.emptyLog }, e);
          return { ...r, state: { ...r.state, log: s.log } };
        },
      },
    },
  },
  {
    id: 'Z7', name: 'stale-vote-counted', breaks: 'ElectionSafety',
    bug: 'a candidate counts a vote reply from an older term',
    bounds: { ...base, maxTerm: 2, maxInFlight: 6 },
    overrides: {
      handlers: { countVote: (s, e) => handlers.countVote(s, e.type === 'RequestVoteReply' ? { ...e, term: s.currentTerm } : e) },
      guards: { winsElection: (s, e) => guards.winsElection(s, e.type === 'RequestVoteReply' ? { ...e, term: s.currentTerm } : e) },
    },
  },
  {
    id: 'Z8', name: 'match-from-next-index', breaks: 'CommittedIsDurable',
    bug: 'the leader sets matchIndex from its nextIndex instead of from what the reply proves',
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 4, drops: 1 },
    overrides: {
      handlers: {
        handleAppendEntriesReply: (s, e) => handlers.handleAppendEntriesReply(s,
          e.type === 'AppendEntriesReply' && e.success ? { ...e, matchIndex: logIndex((s.nextIndex[e.from] ?? 1) - 1) } : e),
      },
    },
  },
  {
    id: 'Z9', name: 'truncate-on-every-append', breaks: 'CommittedSurvivesElection',
    bug: 'a follower truncates its log after every AppendEntries, not only on a conflict',
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 4, duplicates: 1 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (before, r, e) => {
          if (e.type !== 'AppendEntries' || e.term < before.currentTerm) return r;
          const keep = e.prevLogIndex + e.entries.length - r.state.log.snapshotIndex;
          if (keep < 0 || keep >= r.state.log.entries.length) return r;
          return { ...r, state: { ...r.state, log: { ...r.state.log, entries: r.state.log.entries.slice(0, keep) } } };
        }),
      },
    },
  },
  {
    id: 'Z10', name: 'commit-to-leader-commit', breaks: 'StateMachineSafety',
    bug: 'a follower sets commitIndex = leaderCommit without min(leaderCommit, index of last new entry)',
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 4 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (before, r, e) => {
          if (e.type !== 'AppendEntries' || e.term < before.currentTerm) return r;
          const commitIndex = logIndex(Math.max(r.state.commitIndex, Math.min(e.leaderCommit, log.lastIndex(r.state.log))));
          const effects = [...r.effects];
          return { state: applyCommitted({ ...r.state, commitIndex }, effects), effects };
        }),
      },
    },
  },
  {
    id: 'Z11', name: 'leader-ignores-newer-term', breaks: 'LogMatching',
    bug: 'a leader does not adopt a higher term it sees, and does not step down',
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 3 },
    overrides: {
      // Guards do not see the role; only a leader has follower progress in nextIndex.
      guards: { hasNewerTerm: (s, e) => Object.keys(s.nextIndex).length === 0 && guards.hasNewerTerm(s, e) },
    },
  },
  {
    // Not a safety bug here on its own: each voter grants one vote per term and votes are
    // counted per term, so a candidate that ignores the leader cannot gather a second majority
    // in that term. (Xraft's two-leaders bug also needed votes counted across terms, Z7.)
    id: 'Z12', name: 'candidate-ignores-leader', breaks: null,
    bug: 'a candidate keeps campaigning after AppendEntries from a leader of its own term',
    bounds: { ...base, maxInFlight: 5 },
    overrides: { guards: { isFromCurrentLeader: () => false } },
  },
  {
    id: 'Z13', name: 'snapshot-discards-log', breaks: 'AppliesInOrder',
    bug: 'InstallSnapshot discards the entries after the snapshot and installs over newer state',
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 3, duplicates: 1, snapshots: 1 },
    overrides: {
      handlers: {
        handleInstallSnapshot: (s, e) => {
          if (e.type !== 'InstallSnapshot' || e.term < s.currentTerm) return handlers.handleInstallSnapshot(s, e);
          const r = handlers.handleInstallSnapshot({ ...s, commitIndex: logIndex(0), lastApplied: logIndex(0), log: log.emptyLog }, e);
          return { ...r, state: { ...r.state, log: { snapshotIndex: e.lastIncludedIndex, snapshotTerm: e.lastIncludedTerm, entries: [] } } };
        },
      },
    },
  },
  {
    id: 'Z14', name: 'reply-before-persist', breaks: 'PromisesAreDurable',
    bug: 'a vote is sent before it is durable, and the voter crashes in between',
    bounds: { ...base, crashes: 1, maxInFlight: 4 },
    overrides: {
      handlers: {
        handleRequestVote: after(handlers.handleRequestVote, (_, r) => ({ ...r, effects: persistLast(r.effects) })),
      },
    },
  },
  // Z15 and Z16 are not in the shared bug zoo: they back the two properties no zoo bug breaks
  // first, so that every property the checker claims is shown to catch something.
  {
    id: 'Z15', name: 'append-at-end', breaks: 'LogMatching',
    bug: 'a follower appends the entries of an AppendEntries at the end of its log, not after prevLogIndex',
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 4, duplicates: 1 },
    overrides: {
      handlers: {
        handleAppendEntries: (s, e) => handlers.handleAppendEntries(s, e.type === 'AppendEntries' && e.term >= s.currentTerm
          ? { ...e, prevLogIndex: log.lastIndex(s.log), prevLogTerm: log.lastTerm(s.log) }
          : e),
      },
    },
  },
  {
    id: 'Z16', name: 'snapshot-saved-apart-from-log', breaks: 'SnapshotsAgree',
    bug: 'the compacted log is made durable but the snapshot data is not saved with it, so a restart restores the index without the state',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3, crashes: 1, snapshots: 1 },
    overrides: { handlers: { restart: (s, e) => handlers.restart(s, e.type === 'Restart' ? { ...e, persisted: { ...e.persisted, snapshot: new Uint8Array(0) } } : e) } },
  },
  // P1–P4 back the properties judged from outside the machine: within their bounds each is
  // caught by that property and by no other (test/checker/mutants.test.ts removes the property
  // and checks the rest find nothing), as a bug in the machine's own bookkeeping would be.
  {
    id: 'P1', name: 'restart-keeps-applied', breaks: 'ServiceAgreesWithMachine',
    bug: 'a restart keeps commitIndex and lastApplied from before the crash, though the service restarts empty',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3, crashes: 1 },
    overrides: {
      handlers: {
        restart: after(handlers.restart, (before, r) => ({ ...r, state: { ...r.state, commitIndex: before.commitIndex, lastApplied: before.lastApplied } })),
      },
    },
  },
  {
    id: 'P2', name: 'leader-appends-without-persist', breaks: 'CommittedIsDurable',
    bug: 'a leader appends client commands and counts itself toward their commit without persisting them first',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3 },
    overrides: {
      handlers: { appendCommands: after(handlers.appendCommands, (_, r) => ({ ...r, effects: r.effects.filter((e) => e.type !== 'persist') })) },
    },
  },
  {
    id: 'P3', name: 'request-vote-before-persist', breaks: 'PromisesAreDurable',
    bug: 'a candidate sends RequestVote before its new term and self-vote are durable, and crashes in between',
    bounds: { ...base, maxTerm: 1, maxInFlight: 3, crashes: 1 },
    overrides: {
      handlers: {
        startElection: after(handlers.startElection, (_, r) => ({ ...r, effects: persistLast(r.effects) })),
      },
    },
  },
  {
    id: 'P4', name: 'match-starts-at-last-index', breaks: 'MatchIndexIsTrue',
    bug: "a new leader starts every peer's matchIndex at its own last index, as if nextIndex - 1 were known to match",
    bounds: { ...base, maxTerm: 2, proposals: 1, maxInFlight: 3 },
    overrides: {
      handlers: {
        becomeLeader: after(handlers.becomeLeader, (_, r) => ({
          ...r, state: { ...r.state, matchIndex: Object.fromEntries(Object.keys(r.state.matchIndex).map((p) => [p, log.lastIndex(r.state.log)])) },
        })),
      },
    },
  },
  // Z17 onwards are our own: the kinds of mistakes implementations and students make in the
  // follower's commit and apply rules, reply contents, vote counting, restart recovery,
  // compaction boundaries and persistence ordering, each a few lines off the shipped rule.
  {
    id: 'Z17', name: 'commit-on-stale-append', breaks: 'StateMachineSafety',
    bug: 'a follower raises commitIndex to min(leaderCommit, its last index) before the term check, so an AppendEntries from a deposed leader it rejects still commits its own entries',
    bounds: { ...base, maxTerm: 3, proposals: 2, maxInFlight: 4 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (before, r, e) => e.type === 'AppendEntries' && e.term < before.currentTerm
          ? commitTo(r, logIndex(Math.min(e.leaderCommit, log.lastIndex(r.state.log)))) : r),
      },
    },
  },
  {
    id: 'Z18', name: 'commit-before-consistency-check', breaks: 'CommitWithinLog',
    bug: 'a follower applies leaderCommit (AE.5) before the prevLogIndex/prevLogTerm check, so a rejected AppendEntries still commits',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (before, r, e) => {
          if (e.type !== 'AppendEntries' || e.term < before.currentTerm || repliedSuccess(r)) return r;
          return commitTo(r, logIndex(Math.min(e.leaderCommit, e.prevLogIndex + e.entries.length)));
        }),
      },
    },
  },
  {
    id: 'Z19', name: 'apply-only-last-committed', breaks: 'AppliesInOrder',
    bug: 'a follower applies log[commitIndex] and sets lastApplied = commitIndex, skipping the entries in between',
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 3 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (_, r) => ({
          ...r,
          effects: r.effects.map((x) => x.type === 'applyEntries' && x.entries.length > 1
            ? { ...x, first: logIndex(x.first + x.entries.length - 1), entries: x.entries.slice(-1) } : x),
        })),
      },
    },
  },
  {
    id: 'Z20', name: 'install-keeps-last-applied', breaks: 'ServiceAgreesWithMachine',
    bug: 'InstallSnapshot hands the service the snapshot but leaves lastApplied where it was, so entries the snapshot covers are applied again',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3, snapshots: 1 },
    overrides: {
      handlers: {
        handleInstallSnapshot: after(handlers.handleInstallSnapshot, (before, r) => ({ ...r, state: { ...r.state, lastApplied: before.lastApplied } })),
      },
    },
  },
  {
    id: 'Z21', name: 'match-is-log-end', breaks: 'CommittedIsDurable',
    bug: "a successful AppendEntriesReply claims the follower's last log index, not prevLogIndex + len(entries)",
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 4 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (_, r) => ({
          ...r,
          effects: r.effects.map((x) => x.type === 'send' && x.message.type === 'AppendEntriesReply' && x.message.success
            ? { ...x, message: { ...x.message, matchIndex: log.lastIndex(r.state.log) } } : x),
        })),
      },
    },
  },
  {
    id: 'Z22', name: 'prev-index-only-check', breaks: 'StateMachineSafety',
    bug: 'a follower replies success when it has any entry at prevLogIndex, without comparing its term to prevLogTerm',
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 3, drops: 1 },
    overrides: {
      handlers: {
        handleAppendEntries: (s, e) => {
          const ours = e.type === 'AppendEntries' ? log.termAt(s.log, e.prevLogIndex) : undefined;
          return handlers.handleAppendEntries(s, e.type === 'AppendEntries' && ours !== undefined ? { ...e, prevLogTerm: ours } : e);
        },
      },
    },
  },
  {
    id: 'Z23', name: 'denied-votes-counted', breaks: 'ElectionSafety',
    bug: 'a candidate counts every RequestVoteReply of its term as a vote, granted or not',
    bounds: { ...base, maxTerm: 1, maxInFlight: 4 },
    overrides: {
      handlers: { countVote: (s, e) => handlers.countVote(s, e.type === 'RequestVoteReply' ? { ...e, voteGranted: true } : e) },
      guards: { winsElection: (s, e) => guards.winsElection(s, e.type === 'RequestVoteReply' ? { ...e, voteGranted: true } : e) },
    },
  },
  {
    id: 'Z24', name: 'self-vote-counted-twice', breaks: 'ElectionSafety',
    bug: 'a candidate that already holds its own vote in votesGranted adds one for itself again when it tallies',
    bounds: { ...base, nodes: 5, maxTerm: 1, maxInFlight: 7 },
    overrides: { guards: { winsElection: (s, e) => guards.winsElection({ ...s, votesGranted: [...s.votesGranted, s.id] }, e) } },
  },
  {
    id: 'Z25', name: 'commit-restored-from-log-end', breaks: 'CommittedIsDurable',
    bug: 'a restarted node takes its whole durable log as committed (commitIndex = last index)',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3, crashes: 1 },
    overrides: {
      handlers: { restart: after(handlers.restart, (_, r) => ({ ...r, state: { ...r.state, commitIndex: log.lastIndex(r.state.log) } })) },
    },
  },
  {
    id: 'Z26', name: 'snapshot-offset-not-restored', breaks: 'CommittedSurvivesElection',
    bug: "a restart restores the log entries after a snapshot but not the log's offset (snapshotIndex and snapshotTerm)",
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 3, crashes: 1, snapshots: 1 },
    overrides: {
      handlers: {
        restart: (s, e) => handlers.restart(s, e.type === 'Restart' ? { ...e, persisted: { ...e.persisted, log: { ...log.emptyLog, entries: e.persisted.log.entries } } } : e),
      },
    },
  },
  {
    id: 'Z27', name: 'compaction-drops-next-entry', breaks: 'LeaderAppendOnly',
    bug: 'compaction slices the entries one too far (entries.slice(index - snapshotIndex + 1)), losing the entry after the snapshot',
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 3, snapshots: 1 },
    overrides: {
      handlers: {
        compact: after(handlers.compact, (before, r) => r.state.log === before.log ? r
          : { ...r, state: { ...r.state, log: { ...r.state.log, entries: r.state.log.entries.slice(1) } } }),
      },
    },
  },
  {
    id: 'Z28', name: 'snapshot-term-is-current-term', breaks: 'LeaderCompleteness',
    bug: "compaction records the node's currentTerm as the snapshot's last included term, not the term of the entry at its index",
    bounds: { ...base, maxTerm: 2, proposals: 1, maxInFlight: 3, snapshots: 1 },
    overrides: {
      handlers: {
        compact: after(handlers.compact, (before, r) => r.state.log === before.log ? r
          : { ...r, state: { ...r.state, log: { ...r.state.log, snapshotTerm: before.currentTerm } } }),
      },
    },
  },
  {
    id: 'Z29', name: 'append-ack-before-persist', breaks: 'PromisesAreDurable',
    bug: 'a follower replies to AppendEntries (and applies) before its new entries are durable, and may crash in between',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3, crashes: 1 },
    overrides: {
      handlers: { handleAppendEntries: after(handlers.handleAppendEntries, (_, r) => ({ ...r, effects: persistLast(r.effects) })) },
    },
  },
  {
    id: 'Z30', name: 'persist-only-when-log-grows', breaks: 'CommittedIsDurable',
    bug: 'a follower persists its log only when AppendEntries makes it longer, so a conflict that replaces entries in place is never made durable',
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 3, crashes: 1 },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (before, r) => log.lastIndex(r.state.log) > log.lastIndex(before.log) ? r
          : { ...r, effects: r.effects.filter((x) => x.type !== 'persist') }),
      },
    },
  },
  {
    id: 'Z31', name: 'leader-counts-write-before-it-lands', breaks: 'CommittedIsDurable',
    bug: 'a leader that writes in parallel with sending (PW.1) counts itself in the commit majority for new entries before its own write of them is durable',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3, crashes: 1, leaderWritesInParallel: true },
    overrides: {
      handlers: {
        appendCommands: after(handlers.appendCommands, (before, r) => ({
          ...r, state: { ...r.state, matchIndex: { ...r.state.matchIndex, [before.id]: log.lastIndex(r.state.log) } },
        })),
      },
    },
  },
  // Z32–Z44: planted by an audit that wrote them before reading the zoo (the overlaps it found,
  // such as Z21, were dropped): single-point slips of someone implementing Figure 2.
  {
    id: 'Z32', name: 'up-to-date-or', breaks: 'LeaderCompleteness',
    bug: "a voter takes the candidate's log as up-to-date when its last term is newer OR it is at least as long, so a longer log of an older term wins votes",
    bounds: { ...base, maxTerm: 3, proposals: 2, maxInFlight: 4 },
    overrides: {
      handlers: {
        handleRequestVote: (s, e) => {
          if (e.type !== 'RequestVote' || !(e.lastLogTerm > log.lastTerm(s.log) || e.lastLogIndex >= log.lastIndex(s.log))) return handlers.handleRequestVote(s, e);
          const r = handlers.handleRequestVote({ ...s, log: log.emptyLog }, e);
          return { ...r, state: { ...r.state, log: s.log } };
        },
      },
    },
  },
  {
    id: 'Z33', name: 'follower-commit-max', breaks: 'CommittedIsDurable',
    bug: 'AE.5 with max for min: a follower sets commitIndex = max(leaderCommit, index of last new entry), committing what the leader has only sent',
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 3, crashes: 1, leaderWritesInParallel: true },
    overrides: {
      handlers: {
        handleAppendEntries: after(handlers.handleAppendEntries, (before, r, e) =>
          e.type === 'AppendEntries' && repliedSuccess(r) && e.leaderCommit > before.commitIndex
            ? commitTo(r, logIndex(Math.max(e.leaderCommit, e.prevLogIndex + e.entries.length))) : r),
      },
    },
  },
  {
    id: 'Z34', name: 'adopt-equal-term', breaks: 'PromisesAreDurable',
    bug: 'S.2 with >= for >: a message of the current term also counts as a new term, so the node steps down and forgets its vote',
    bounds: { ...base, maxTerm: 1, maxInFlight: 4 },
    overrides: { guards: { hasNewerTerm: (s, e) => isMessage(e) && e.term >= s.currentTerm } },
  },
  {
    id: 'Z35', name: 'stale-append-reply', breaks: 'MatchIndexIsTrue',
    bug: 'a leader takes an AppendEntriesReply of an earlier term as one of its own (the reply term check is missing), so an old success raises matchIndex',
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 3, crashes: 1, leaderWritesInParallel: true, flowControl: true },
    overrides: {
      handlers: {
        handleAppendEntriesReply: (s, e) => handlers.handleAppendEntriesReply(s, e.type === 'AppendEntriesReply' ? { ...e, term: s.currentTerm } : e),
      },
    },
  },
  {
    id: 'Z36', name: 'snapshot-keeps-conflicting-suffix', breaks: 'LogMatching',
    bug: "InstallSnapshot keeps the entries after the snapshot's last index without checking that the entry there has the snapshot's term (IS.6 without its condition)",
    bounds: { ...base, maxTerm: 4, proposals: 3, maxInFlight: 7, drops: 2, duplicates: 2, snapshots: 2, flowControl: true },
    walk: 11_247,
    overrides: {
      handlers: {
        handleInstallSnapshot: after(handlers.handleInstallSnapshot, (before, r, e) => {
          if (e.type !== 'InstallSnapshot' || r.state.log === before.log || r.state.log.entries.length > 0) return r;
          if (log.lastIndex(before.log) <= e.lastIncludedIndex) return r;
          const kept = { ...r.state.log, entries: log.entriesFrom(before.log, logIndex(e.lastIncludedIndex + 1)) };
          return { ...r, state: { ...r.state, log: kept } };
        }),
      },
    },
  },
  {
    id: 'Z37', name: 'leader-commit-is-last-index', breaks: 'CommittedIsDurable',
    bug: "a leader sends its last log index as leaderCommit, not its commitIndex, so followers commit what it has only sent",
    bounds: { ...base, maxTerm: 1, proposals: 2, maxInFlight: 3, crashes: 1, leaderWritesInParallel: true },
    overrides: {
      handlers: Object.fromEntries((['becomeLeader', 'sendHeartbeats', 'appendCommands', 'countOwnWrite', 'handleAppendEntriesReply', 'handleInstallSnapshotReply'] as const)
        .map((name) => [name, after(handlers[name], (_, r) => ({
          ...r,
          effects: r.effects.map((x) => x.type === 'send' && x.message.type === 'AppendEntries'
            ? { ...x, message: { ...x.message, leaderCommit: log.lastIndex(r.state.log) } } : x),
        }))])),
    },
  },
  {
    id: 'Z38', name: 'own-write-any-term', breaks: null,
    bug: 'PW.1 without its term check: a leader counts a LogDurable asked for in an earlier term',
    bounds: { ...base, maxTerm: 2, proposals: 1, maxInFlight: 3, crashes: 1, leaderWritesInParallel: true },
    overrides: { handlers: { countOwnWrite: (s, e) => handlers.countOwnWrite(s, e.type === 'LogDurable' ? { ...e, term: s.currentTerm } : e) } },
  },
  {
    id: 'Z39', name: 'own-write-beyond-log', breaks: null,
    bug: "PW.1 without its bound: a leader takes a LogDurable past its last index as its own matchIndex",
    bounds: { ...base, maxTerm: 2, proposals: 1, maxInFlight: 3, crashes: 1, leaderWritesInParallel: true },
    overrides: {
      handlers: {
        countOwnWrite: (s, e) => e.type === 'LogDurable' && e.term === s.currentTerm && e.index > s.matchIndex[s.id]! && e.index > log.lastIndex(s.log)
          ? { state: { ...s, matchIndex: { ...s.matchIndex, [s.id]: e.index } }, effects: [] }
          : handlers.countOwnWrite(s, e),
      },
    },
  },
  {
    id: 'Z40', name: 'install-not-persisted', breaks: 'PromisesAreDurable',
    bug: 'a follower installs a snapshot and acknowledges it without making it durable',
    bounds: { ...base, maxTerm: 1, proposals: 1, maxInFlight: 3, crashes: 1, snapshots: 1, drops: 1 },
    overrides: {
      handlers: { handleInstallSnapshot: after(handlers.handleInstallSnapshot, (_, r) => ({ ...r, effects: r.effects.filter((x) => x.type !== 'persist') })) },
    },
  },
  {
    id: 'Z41', name: 'candidate-no-self-vote', breaks: 'PromisesAreDurable',
    bug: 'a candidate counts its own vote but leaves votedFor unset, so it can also vote for another candidate of its term',
    bounds: { ...base, maxTerm: 1, maxInFlight: 4 },
    overrides: { handlers: { startElection: after(handlers.startElection, (_, r) => ({ ...r, state: { ...r.state, votedFor: null } })) } },
  },
  {
    id: 'Z42', name: 'half-is-majority', breaks: 'ElectionSafety',
    bug: 'C.2 with >= floor(n/2) for a majority: in a five-node cluster two votes win an election',
    bounds: { ...base, nodes: 5, maxTerm: 1, maxInFlight: 7 },
    overrides: {
      guards: {
        winsElection: (s, e) => e.type === 'RequestVoteReply' && e.term === s.currentTerm && e.voteGranted &&
          s.votesGranted.length + (s.votesGranted.includes(e.from) ? 0 : 1) >= Math.floor(s.members.length / 2),
      },
    },
  },
  {
    id: 'Z43', name: 'no-stale-append-check', breaks: 'LeaderAppendOnly',
    bug: 'AE.1 missing: a node merges the entries of an AppendEntries from a deposed leader of an earlier term',
    bounds: { ...base, maxTerm: 2, proposals: 2, maxInFlight: 3, crashes: 1, leaderWritesInParallel: true, flowControl: true },
    overrides: { handlers: { handleAppendEntries: (s, e) => handlers.handleAppendEntries(s, e.type === 'AppendEntries' ? { ...e, term: s.currentTerm } : e) } },
  },
  {
    id: 'Z44', name: 'refusal-keeps-inflight', breaks: null,
    bug: 'FC.2: a refused AppendEntries leaves the follower\'s in-flight count as it was, so the leader may stay paused for it',
    bounds: { ...base, maxTerm: 2, proposals: 1, maxInFlight: 3, drops: 1, flowControl: true },
    overrides: {
      handlers: {
        handleAppendEntriesReply: after(handlers.handleAppendEntriesReply, (before, r, e) =>
          e.type !== 'AppendEntriesReply' || e.success || e.term !== before.currentTerm ? r
            : { ...r, state: { ...r.state, inflight: { ...r.state.inflight, [e.from]: [...(before.inflight?.[e.from] ?? []), ...(r.state.inflight?.[e.from] ?? [])] } } }),
      },
    },
  },
  // Z45–Z47: stalls. No safety property breaks; the swarm walks' recovery check (RecoversAfterFaults,
  // src/checker/raft/recovery.ts) finds the cluster that never catches up once faults stop.
  {
    id: 'Z45', name: 'heartbeat-skips-probed', breaks: 'RecoversAfterFaults',
    bug: 'FC.1: heartbeats skip a follower being probed, as new entries do, so once its probe or the reply is lost it never hears from the leader again',
    bounds: { nodes: 3, maxTerm: 3, proposals: 4, maxInFlight: 6, drops: 2, duplicates: 3, crashes: 0, snapshots: 0, flowControl: true },
    walk: 11,
    overrides: {
      handlers: {
        sendHeartbeats: (s) => {
          const probed = (peer: number) => s.probing?.[peer] === true;
          const r = handlers.sendHeartbeats(s);
          const nextIndex = Object.fromEntries(Object.entries(r.state.nextIndex).map(([p, n]) => [p, probed(Number(p)) ? s.nextIndex[Number(p)]! : n]));
          return { state: { ...r.state, nextIndex }, effects: r.effects.filter((x) => x.type !== 'send' || !probed(x.message.to)) };
        },
      },
    },
  },
  {
    id: 'Z46', name: 'heartbeat-ignores-commit', breaks: 'RecoversAfterFaults',
    bug: 'AE.5 only for an AppendEntries with entries: a follower ignores the leaderCommit of an empty one, so it learns a commit only with later entries',
    bounds: { nodes: 3, maxTerm: 2, proposals: 4, maxInFlight: 4, drops: 3, duplicates: 0, crashes: 1, snapshots: 2, flowControl: true },
    walk: 0,
    overrides: {
      handlers: {
        handleAppendEntries: (s, e) => handlers.handleAppendEntries(s, e.type === 'AppendEntries' && e.entries.length === 0 ? { ...e, leaderCommit: logIndex(Math.min(e.leaderCommit, s.commitIndex)) } : e),
      },
    },
  },
  {
    id: 'Z47', name: 'refusal-keeps-next-index', breaks: 'RecoversAfterFaults',
    bug: 'L.5 missing: a refused AppendEntries leaves nextIndex where it was, so the leader retries the same entries forever to a follower that lacks those before them',
    bounds: { nodes: 5, maxTerm: 5, proposals: 3, maxInFlight: 7, drops: 2, duplicates: 2, crashes: 0, snapshots: 0, flowControl: true },
    walk: 1,
    overrides: {
      handlers: {
        handleAppendEntriesReply: (s, e) => handlers.handleAppendEntriesReply(s, e.type === 'AppendEntriesReply' && !e.success && s.nextIndex[e.from] !== undefined
          ? { ...e, conflictTerm: term(0), conflictIndex: s.nextIndex[e.from]! } : e),
      },
    },
  },
];

/** The mutant whose name is `name`, or whose id (Z1…) it is in any case; undefined if none. */
export const mutantNamed = (name: string): Mutant | undefined =>
  mutants.find((m) => m.name === name || m.id.toLowerCase() === name.toLowerCase());
