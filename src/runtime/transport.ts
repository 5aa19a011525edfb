// How a node reaches its peers. One Transport is one node's endpoint; implementations: the
// in-memory network with fault injection (simulation, tests) and UDP (separate processes).
import type { Message } from '../machine/index.ts';

export interface Transport {
  /**
   * Sends `message` to `message.to`. Best effort: it may be lost, delayed, duplicated or
   * reordered. Never blocks and never calls the receiver synchronously: delivery happens in a
   * later task (or later simulated event), so a node is not re-entered from its own send.
   */
  send(message: Message): void;
  /** Registers the one receiver of messages addressed to this node. */
  onMessage(handler: (message: Message) => void): void;
  /** Stops sending and receiving; later sends are dropped and nothing more is delivered. */
  close(): void;
}
