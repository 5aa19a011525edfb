// The smallest complete host for the machine: it keeps each node's snapshot and what it made
// durable, carries out effects in order, and passes messages through an in-memory queue. A real
// host swaps the queue for a transport, `durable` for storage, and fires ElectionTimeout and
// HeartbeatDue from its timers. docs/embedding.md walks through it; examples/conformance.ts
// drives it under Node, Bun, Deno and in a Web Worker.
import {
  deriveStepper, initialNode, persistentStateOf,
  type Command, type Effect, type Message, type NodeId, type NodeSnapshot, type PersistentState, type RaftEvent, type Stepper,
} from '../src/machine/index.ts';

export class HostLoop {
  readonly nodes = new Map<NodeId, NodeSnapshot>();
  readonly durable = new Map<NodeId, PersistentState>();
  /** What each node's service applied, in order: the commands, one per log index. */
  readonly applied = new Map<NodeId, Command[]>();
  readonly inFlight: Message[] = [];
  /** Every step's effects, in order, for whoever wants to check their order. */
  readonly effectLog: { node: NodeId; effects: readonly Effect[] }[] = [];
  constructor(readonly members: readonly NodeId[], private readonly step: Stepper = deriveStepper()) {
    for (const id of members) {
      this.nodes.set(id, initialNode({ id, members }));
      this.applied.set(id, []);
    }
  }

  /** One event into one node, then its effects in list order: a persist is done before what follows it. */
  fire(id: NodeId, event: RaftEvent): void {
    const r = this.step(this.nodes.get(id)!, event);
    this.nodes.set(id, { role: r.role, state: r.state });
    this.effectLog.push({ node: id, effects: r.effects });
    for (const effect of r.effects) {
      if (effect.type === 'persist') this.durable.set(id, persistentStateOf(r.state));
      else if (effect.type === 'send') this.inFlight.push(effect.message);
      else if (effect.type === 'applyEntries') this.applied.get(id)!.push(...effect.entries.map((e) => e.command));
      // applySnapshot would hand the service its state; resetting timers is the clock's job.
    }
  }

  /** Delivers every message in flight, and those they cause, in order; `lost` says which to drop. */
  deliverAll(lost: (m: Message) => boolean = () => false): void {
    while (this.inFlight.length > 0) {
      const m = this.inFlight.shift()!;
      if (!lost(m)) this.fire(m.to, m);
    }
  }

  /** A crash and restart: volatile state is gone, the node comes back with what it made durable. */
  restart(id: NodeId): void {
    const persisted = this.durable.get(id);
    if (persisted === undefined) throw new Error(`node ${id} never persisted anything`);
    this.applied.set(id, []);
    this.fire(id, { type: 'Restart', persisted });
  }
}
