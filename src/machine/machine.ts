// The statechart: which Figure-2 handler runs in which role, and which events change the role.
// It is the one authoritative description of that routing; the fast stepper is derived from it.
import { enqueueActions, setup } from 'xstate';
import { guards, handlers, type GuardName, type HandlerName } from './handlers.ts';
import { initialState } from './state.ts';
import type { Effect, NodeConfig, RaftEvent, RaftState } from './types.ts';

type Names = readonly HandlerName[];

/**
 * A request in any role: a newer term first makes us a follower of that term (S.2), and the
 * follower's handler answers it; otherwise the role's own handler does.
 */
const request = (handler: HandlerName) => [stepDownOnNewerTerm(handler), { actions: [handler] as Names }];

/**
 * A reply in any role: a newer term makes us a follower, and a follower has nothing to do with a
 * reply; otherwise the role's own handler, if it has one, takes it.
 */
const reply = (handler?: HandlerName) => [stepDownOnNewerTerm(), ...(handler ? [{ actions: [handler] as Names }] : [])];

/** S.2: a newer term makes us a follower of that term, then `handler`, if any, runs as follower. */
const stepDownOnNewerTerm = (handler?: HandlerName) =>
  ({ guard: 'hasNewerTerm' as const, target: 'follower', actions: (handler ? ['adoptTerm', handler] : ['adoptTerm']) as Names });

/** Each handler becomes an XState action that assigns the new state and emits its effects. */
const xstateActions = Object.fromEntries(
  Object.entries(handlers).map(([name, handler]) => [
    name,
    enqueueActions(({ context, event, enqueue }: { context: RaftState; event: RaftEvent; enqueue: Enqueue }) => {
      const step = handler(context, event);
      enqueue.assign(() => step.state);
      for (const effect of step.effects) enqueue.emit(effect);
    }),
  ]),
) as Record<HandlerName, never>;

interface Enqueue {
  assign(f: () => RaftState): void;
  emit(e: Effect): void;
}

const xstateGuards = Object.fromEntries(
  Object.entries(guards).map(([name, guard]) => [
    name,
    ({ context, event }: { context: RaftState; event: RaftEvent }) => guard(context, event),
  ]),
) as Record<GuardName, never>;

/**
 * The Raft node as an XState v5 statechart: one state per {@link Role}, transitions routed by event
 * type, and each action a pure {@link handlers} rule whose effects are emitted in order. Its input is
 * the {@link NodeConfig}; it does no I/O. Hosts usually step it through a {@link Stepper}.
 */
export const raftMachine = setup({
  types: {} as { context: RaftState; events: RaftEvent; input: NodeConfig; emitted: Effect },
  actions: xstateActions,
  guards: xstateGuards,
}).createMachine({
  id: 'raft',
  /** A new node starts from its config with nothing persisted: term 0, no vote, empty log. */
  context: ({ input }) => initialState(input),
  initial: 'follower',
  on: {
    Restart: { target: '.follower', actions: ['restart'] },
    Snapshot: { actions: ['compact'] },
  },
  states: {
    follower: {
      on: {
        // F.2 "If election timeout elapses without receiving AppendEntries RPC from current
        // leader or granting vote to candidate: convert to candidate."
        ElectionTimeout: [
          { guard: 'isSoleMember', target: 'leader', actions: ['startElection', 'becomeLeader'] },
          { target: 'candidate', actions: ['startElection'] },
        ],
        // F.1 "Respond to RPCs from candidates and leaders."
        RequestVote: request('handleRequestVote'),
        AppendEntries: request('handleAppendEntries'),
        InstallSnapshot: request('handleInstallSnapshot'),
        RequestVoteReply: reply(),
        AppendEntriesReply: reply(),
        InstallSnapshotReply: reply(),
      },
    },
    candidate: {
      on: {
        // C.4 "If election timeout elapses: start new election."
        ElectionTimeout: { target: 'candidate', actions: ['startElection'] },
        // C.2 "If votes received from majority of servers: become leader."
        RequestVoteReply: [
          stepDownOnNewerTerm(),
          { guard: 'winsElection', target: 'leader', actions: ['countVote', 'becomeLeader'] },
          { actions: ['countVote'] },
        ],
        // C.3 "If AppendEntries RPC received from new leader: convert to follower."
        AppendEntries: [
          stepDownOnNewerTerm('handleAppendEntries'),
          { guard: 'isFromCurrentLeader', target: 'follower', actions: ['handleAppendEntries'] },
          { actions: ['handleAppendEntries'] },
        ],
        InstallSnapshot: [
          stepDownOnNewerTerm('handleInstallSnapshot'),
          { guard: 'isFromCurrentLeader', target: 'follower', actions: ['handleInstallSnapshot'] },
          { actions: ['handleInstallSnapshot'] },
        ],
        RequestVote: request('handleRequestVote'),
        AppendEntriesReply: reply(),
        InstallSnapshotReply: reply(),
      },
    },
    leader: {
      on: {
        // L.1 heartbeats during idle periods; L.2 client commands.
        HeartbeatDue: { actions: ['sendHeartbeats'] },
        Propose: { actions: ['appendCommands'] },
        // PW.1: the leader's own write landed; it counts itself for what it wrote.
        LogDurable: { actions: ['countOwnWrite'] },
        AppendEntriesReply: reply('handleAppendEntriesReply'),
        InstallSnapshotReply: reply('handleInstallSnapshotReply'),
        RequestVote: request('handleRequestVote'),
        AppendEntries: request('handleAppendEntries'),
        InstallSnapshot: request('handleInstallSnapshot'),
        RequestVoteReply: reply(),
      },
    },
  },
});

/** The type of {@link raftMachine}, for code that takes a machine of the same shape (a mutant's, say). */
export type RaftMachine = typeof raftMachine;
