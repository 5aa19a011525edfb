// What `raft node --metrics-port` serves: the node's role, term and indices, its traffic per peer,
// its drops by reason and its fsync latencies, read from the counters the runtime already keeps.
import type { LogIndex, Role, Term } from '../machine/index.ts';
import type { FileStorage } from '../runtime/file-storage.ts';
import { prometheusText, type Metric } from '../runtime/metrics.ts';
import type { PeerTraffic, UdpTransport } from '../runtime/udp-transport.ts';

/** Where the service `raft node` runs stands: what it has applied, and how much. */
export interface ServiceState {
  readonly index: number;
  readonly commands: number;
  readonly bytes: number;
}

export interface NodeView {
  readonly role: Role;
  readonly term: Term;
  readonly commitIndex: LogIndex;
  readonly logLength: number;
}

const ROLES: readonly Role[] = ['follower', 'candidate', 'leader'];

export function nodeMetrics(m: {
  view: NodeView | null;
  applied: ServiceState;
  snapshotIndex: number;
  transport: UdpTransport;
  storage: FileStorage;
}): string {
  const v = m.view;
  const gauge = (name: string, help: string, value: number): Metric => ({ name, help, type: 'gauge', samples: [{ value }] });
  const perPeer = (name: string, help: string, field: keyof PeerTraffic): Metric => ({
    name, help, type: 'counter', samples: [...m.transport.traffic].map(([peer, t]) => ({ labels: { peer }, value: t[field] })),
  });
  return prometheusText([
    gauge('raft_term', 'Current term.', v?.term ?? 0),
    { name: 'raft_role', help: 'The role this node is in (1) and the others (0).', type: 'gauge', samples: ROLES.map((role) => ({ labels: { role }, value: v?.role === role ? 1 : 0 })) },
    gauge('raft_commit_index', 'Highest log index known to be committed.', v?.commitIndex ?? 0),
    gauge('raft_apply_index', 'Highest log index applied to the service.', m.applied.index),
    gauge('raft_last_log_index', 'Index of the last entry in the log.', v?.logLength ?? 0),
    gauge('raft_snapshot_index', 'Last index the log is compacted through: the entries in memory are those after it.', m.snapshotIndex),
    { name: 'raft_applied_commands_total', help: 'Commands applied since the cluster began (carried in snapshots).', type: 'counter', samples: [{ value: m.applied.commands }] },
    gauge('raft_storage_log_bytes', 'Bytes of the write-ahead log, snapshot excluded.', m.storage.size()),
    perPeer('raft_messages_sent_total', 'Raft messages sent, per peer.', 'messagesSent'),
    perPeer('raft_messages_received_total', 'Raft messages received and accepted, per peer.', 'messagesReceived'),
    perPeer('raft_datagrams_sent_total', 'Datagrams sent, per peer.', 'datagramsSent'),
    perPeer('raft_datagrams_received_total', 'Datagrams received from each peer\'s address.', 'datagramsReceived'),
    perPeer('raft_bytes_sent_total', 'Datagram bytes sent, per peer.', 'bytesSent'),
    perPeer('raft_bytes_received_total', 'Datagram bytes received, per peer.', 'bytesReceived'),
    {
      name: 'raft_datagrams_dropped_total', help: 'Datagrams refused, by reason.', type: 'counter',
      samples: Object.entries(m.transport.droppedBy).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    { name: 'raft_send_errors_total', help: 'Sends the kernel refused.', type: 'counter', samples: [{ value: m.transport.stats.sendErrors }] },
  ], [{ name: 'raft_wal_fsync_seconds', help: 'Latency of the fdatasync that makes each appended batch durable.', histogram: m.storage.syncSeconds }]);
}
