// How a node reaches its peers. One Transport is one node's endpoint; implementations: the
// in-memory network with fault injection (simulation, tests) and UDP (separate processes).
import type { Message } from '../machine/index.ts';

/**
 * One node's endpoint to its peers, best effort as Raft assumes (messages may be lost, delayed,
 * duplicated or reordered): {@link MemoryNetwork} for simulation and tests, {@link UdpTransport}
 * between processes.
 */
export interface Transport {
  /**
   * The largest command, in bytes as the command codec writes it, that one message can carry in a
   * single entry; absent when there is no such limit. The node refuses larger commands in start().
   */
  readonly maxCommandBytes?: number;
  /**
   * Sends `message` to `message.to`. Best effort: it may be lost, delayed, duplicated or
   * reordered. Never blocks and never calls the receiver synchronously: delivery happens in a
   * later task (or later simulated event), so a node is not re-entered from its own send. Throws
   * only for a message that could never be sent (an entry above maxCommandBytes): a broken
   * invariant of the node, which the node treats as fatal.
   */
  send(message: Message): void;
  /** Registers the one receiver of messages addressed to this node. */
  onMessage(handler: (message: Message) => void): void;
  /** Stops sending and receiving; later sends are dropped and nothing more is delivered. */
  close(): void;
}
