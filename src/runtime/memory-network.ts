// An in-memory network with the fault model of the 6.5840 lab's labrpc, and more. Messages are
// one-way; a request (RequestVote, AppendEntries, InstallSnapshot) stands for labrpc's Call and
// its reply message for the Call's reply, so the lab's faults map one to one:
//   - connect/disconnect a node: a disconnected node is cut off from everyone, even from other
//     disconnected nodes; it keeps running;
//   - crash: the node's current incarnation gets nothing more; attach() gives it a new one;
//   - unreliable: a request waits 0–26 ms and is lost with 10 %; a reply is lost with 10 %;
//   - long reordering: 2/3 of the replies wait 200–2199 ms (skewed low, as labrpc draws it);
//   - a message towards an unreachable peer is lost. labrpc makes such a Call fail after up to
//     7 s; a sender that never waits on a message cannot tell that from a loss.
// Beyond the lab: partitions into groups, duplication, and per-link rules (loss, delay, block).
// Driven by the injected clock and random source, so a simulated run is deterministic.
import type { Message, NodeId } from '../machine/index.ts';
import type { Clock } from './clock.ts';
import { messageSize } from './message-size.ts';
import type { Random } from './random.ts';
import type { Transport } from './transport.ts';

/** Faults for one direction of one link, on top of the network-wide ones; see {@link MemoryNetwork.setLinkRule}. */
export interface LinkRule {
  /** The link carries nothing. */
  readonly blocked?: boolean;
  /** Probability that a message on the link is lost. */
  readonly loss?: number;
  /** Extra delay, uniform in [min, max] ms. */
  readonly delayMs?: { readonly min: number; readonly max: number };
}

/** A count of messages and their bytes as {@link messageSize} estimates them. */
export interface Traffic {
  readonly messages: number;
  readonly bytes: number;
}

/**
 * One node's traffic over all its incarnations: `sent` counts every message it sent, reachable or
 * not; `received` every delivery to it (a duplicate counts twice).
 */
export interface NodeTraffic {
  readonly sent: Traffic;
  readonly received: Traffic;
}

const REQUESTS: ReadonlySet<Message['type']> = new Set(['RequestVote', 'AppendEntries', 'InstallSnapshot']);

/** One incarnation's endpoint. */
class Endpoint implements Transport {
  handler: ((message: Message) => void) | null = null;
  closed = false;
  /** Requests delivered to this incarnation (the lab's rpcCount, which restarts with the server). */
  rpcs = 0;

  constructor(readonly id: NodeId, private readonly network: MemoryNetwork) {}

  send(message: Message): void {
    if (!this.closed) this.network.route(this, message);
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.closed = true;
  }
}

interface MutableTraffic { messages: number; bytes: number }

/**
 * An in-memory network of {@link Transport}s with the fault model of the 6.5840 lab's labrpc
 * (disconnection, crashes, unreliable delivery, long reordering) plus partitions, duplication and
 * per-link rules. Deterministic under its injected {@link Clock} and {@link Random}; all nodes start
 * disconnected, and {@link MemoryNetwork.attach} gives a node its endpoint.
 */
export class MemoryNetwork {
  private readonly endpoints = new Map<NodeId, Endpoint>();
  private readonly connected = new Set<NodeId>();
  private groupOf: Map<NodeId, number> | null = null;
  private readonly rules = new Map<string, LinkRule>();
  private reliable = true;
  private longReordering = false;
  private duplication = 0;
  private readonly traffic = new Map<NodeId, { sent: MutableTraffic; received: MutableTraffic }>();
  private rpcs = 0;
  private bytes = 0;

  constructor(private readonly clock: Clock, private readonly random: Random) {}

  /**
   * A new incarnation of `id`: the previous one, if any, is crashed. It is as connected as `id`
   * was (the lab's start1 leaves it disconnected because crash1 disconnected it first).
   */
  attach(id: NodeId): Transport {
    this.crash(id);
    const endpoint = new Endpoint(id, this);
    this.endpoints.set(id, endpoint);
    return endpoint;
  }

  /** The current incarnation of `id` receives nothing more, also of what is already under way. */
  crash(id: NodeId): void {
    const endpoint = this.endpoints.get(id);
    if (endpoint === undefined) return;
    endpoint.closed = true;
    this.endpoints.delete(id);
  }

  /** Lets `id` talk to the other connected nodes again (within its group, if partitioned). */
  connect(id: NodeId): void {
    this.connected.add(id);
  }

  /** Cuts `id` off from everyone: what it sends, or is sent, from now on is lost (not what is already under way). It keeps running. */
  disconnect(id: NodeId): void {
    this.connected.delete(id);
  }

  /** Whether `id` is connected; a partition does not change it. */
  isConnected(id: NodeId): boolean {
    return this.connected.has(id);
  }

  /** Connected nodes talk only within their group; a node in no group talks to no one. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groupOf = new Map(groups.flatMap((group, g) => group.map((id) => [id, g] as const)));
  }

  /** Ends the partition: every connected node talks to every other. Connections and link rules stay. */
  heal(): void {
    this.groupOf = null;
  }

  /** Unreliable (false): a request waits 0–26 ms, and each message is lost with probability 0.1, as labrpc does. */
  setReliable(reliable: boolean): void {
    this.reliable = reliable;
  }

  /** On: two thirds of replies wait an extra 200–2199 ms (skewed low, as labrpc draws it), so they arrive out of order. */
  setLongReordering(on: boolean): void {
    this.longReordering = on;
  }

  /** Probability that a delivered message is delivered a second time, with its own delay. */
  setDuplication(probability: number): void {
    this.duplication = probability;
  }

  /** A rule for the one-way link from → to; null removes it. */
  setLinkRule(from: NodeId, to: NodeId, rule: LinkRule | null): void {
    if (rule === null) this.rules.delete(`${from}>${to}`);
    else this.rules.set(`${from}>${to}`, rule);
  }

  /** Requests delivered to the current incarnation of `id`. */
  rpcCount(id: NodeId): number {
    return this.endpoints.get(id)?.rpcs ?? 0;
  }

  /** Requests ever sent, reachable or not (the lab's rpcTotal). */
  rpcTotal(): number {
    return this.rpcs;
  }

  /** Bytes of every request sent plus every reply delivered (the lab's bytesTotal). */
  bytesTotal(): number {
    return this.bytes;
  }

  /** A copy of `id`'s traffic counters so far. */
  trafficOf(id: NodeId): NodeTraffic {
    const t = this.trafficEntry(id);
    return { sent: { ...t.sent }, received: { ...t.received } };
  }

  /** Called by endpoints. */
  route(from: Endpoint, message: Message): void {
    const size = messageSize(message);
    const isRequest = REQUESTS.has(message.type);
    const sent = this.trafficEntry(from.id).sent;
    sent.messages++;
    sent.bytes += size;
    if (isRequest) {
      this.rpcs++;
      this.bytes += size;
    }
    const to = this.endpoints.get(message.to);
    if (to === undefined || !this.canTalk(from.id, message.to)) return;
    let delay = 0;
    if (!this.reliable) {
      if (isRequest) delay += this.random.int(27);
      if (this.random.int(1000) < 100) return;
    }
    if (!isRequest && this.longReordering && this.random.int(900) < 600) delay += 200 + this.random.int(1 + this.random.int(2000));
    const rule = this.rules.size === 0 ? undefined : this.rules.get(`${from.id}>${message.to}`);
    if (rule?.loss !== undefined && this.random.next() < rule.loss) return;
    this.clock.schedule(delay + this.ruleDelay(rule), () => this.deliver(to, message, size, isRequest));
    if (this.duplication > 0 && this.random.next() < this.duplication) {
      this.clock.schedule(delay + this.ruleDelay(rule) + this.random.int(27), () => this.deliver(to, message, size, isRequest));
    }
  }

  private ruleDelay(rule: LinkRule | undefined): number {
    return rule?.delayMs === undefined ? 0 : rule.delayMs.min + this.random.next() * (rule.delayMs.max - rule.delayMs.min);
  }

  private deliver(to: Endpoint, message: Message, size: number, isRequest: boolean): void {
    if (to.closed) return;
    if (isRequest) to.rpcs++;
    else this.bytes += size;
    const received = this.trafficEntry(to.id).received;
    received.messages++;
    received.bytes += size;
    to.handler?.(message);
  }

  private canTalk(a: NodeId, b: NodeId): boolean {
    if (!this.connected.has(a) || !this.connected.has(b)) return false;
    if (this.groupOf !== null) {
      const g = this.groupOf.get(a);
      if (g === undefined || g !== this.groupOf.get(b)) return false;
    }
    return this.rules.size === 0 || this.rules.get(`${a}>${b}`)?.blocked !== true;
  }

  private trafficEntry(id: NodeId): { sent: MutableTraffic; received: MutableTraffic } {
    let t = this.traffic.get(id);
    if (t === undefined) {
      t = { sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 } };
      this.traffic.set(id, t);
    }
    return t;
  }
}
