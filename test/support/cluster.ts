// A hand-driven cluster for tests: nodes stepped by the fast stepper, messages held in a list
// the test delivers, drops or reorders explicitly. No time, no randomness.
import { match } from 'ts-pattern';
import {
  deriveStepper, initialNode, logIndex, nodeId, persistentStateOf,
  type Effect, type Entry, type LogIndex, type Message, type NodeId, type NodeSnapshot, type PersistentState,
  type RaftEvent, type SnapshotData,
} from '../../src/machine/index.ts';

export const step = deriveStepper();

export type Applied =
  | { kind: 'entry'; index: LogIndex; entry: Entry }
  | { kind: 'snapshot'; index: LogIndex; data: SnapshotData };

export class TestCluster {
  readonly ids: NodeId[];
  readonly nodes = new Map<NodeId, NodeSnapshot>();
  readonly durable = new Map<NodeId, PersistentState>();
  readonly applied = new Map<NodeId, Applied[]>();
  inFlight: Message[] = [];
  lastEffects: readonly Effect[] = [];

  constructor(size: number) {
    this.ids = Array.from({ length: size }, (_, i) => nodeId(i + 1));
    for (const id of this.ids) {
      const node = initialNode({ id, members: this.ids });
      this.nodes.set(id, node);
      this.durable.set(id, persistentStateOf(node.state));
      this.applied.set(id, []);
    }
  }

  node(id: number): NodeSnapshot { return this.nodes.get(nodeId(id))!; }

  /** Steps one node and carries out its effects: persist, queue sends, record applies. */
  fire(id: number, event: RaftEvent): readonly Effect[] {
    const result = step(this.node(id), event);
    this.nodes.set(nodeId(id), { role: result.role, state: result.state });
    const applied = this.applied.get(nodeId(id))!;
    const landed: RaftEvent[] = [];
    for (const e of result.effects) {
      match(e)
        .with({ type: 'persist' }, () => this.durable.set(nodeId(id), persistentStateOf(result.state)))
        // Written at once: the write lands before anything else happens to this node.
        .with({ type: 'persistInParallel' }, ({ term, index }) => {
          this.durable.set(nodeId(id), persistentStateOf(result.state));
          landed.push({ type: 'LogDurable', term, index });
        })
        .with({ type: 'send' }, ({ message }) => this.inFlight.push(message))
        .with({ type: 'applyEntries' }, ({ first, entries }) => entries.forEach((entry, i) => applied.push({ kind: 'entry', index: logIndex(first + i), entry })))
        .with({ type: 'applySnapshot' }, ({ index, data }) => applied.push({ kind: 'snapshot', index, data }))
        .with({ type: 'resetElectionTimer' }, { type: 'resetHeartbeatTimer' }, () => {})
        .exhaustive();
    }
    for (const event of landed) this.fire(id, event);
    this.lastEffects = result.effects;
    return result.effects;
  }

  /** Delivers every message in flight (and those they cause) until the network is quiet. */
  deliverAll(filter: (m: Message) => boolean = () => true, limit = 10_000): void {
    for (let n = 0; n < limit; n++) {
      const i = this.inFlight.findIndex(filter);
      if (i < 0) return;
      const [m] = this.inFlight.splice(i, 1);
      this.fire(m!.to, m!);
    }
    throw new Error('network did not go quiet');
  }

  /** Makes `id` leader: it times out and everyone answers. */
  elect(id: number): void {
    this.fire(id, { type: 'ElectionTimeout' });
    this.deliverAll();
  }

  propose(id: number, ...commands: unknown[]): void {
    this.fire(id, { type: 'Propose', commands });
  }

  crash(id: number): void {
    this.inFlight = this.inFlight.filter((m) => m.to !== id);
    this.fire(id, { type: 'Restart', persisted: this.durable.get(nodeId(id))! });
  }

  commands(id: number): unknown[] {
    return this.applied.get(nodeId(id))!.flatMap((a) => (a.kind === 'entry' ? [a.entry.command] : []));
  }
}
