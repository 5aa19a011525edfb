// A lossy UDP path between nodes on loopback, for the real transport: every node sees each peer at
// a relay port of its own. Node i sends to its relay for j; the relay passes the datagram on to j
// from j's relay for i, which is where j believes i is, so the transport's source checks hold.
// On the way it drops, duplicates and delays datagrams, from a seeded random source.
import dgram from 'node:dgram';
import type { NodeId } from '../../src/machine/index.ts';
import type { PeerAddress } from '../../src/runtime/udp-transport.ts';
import { seededRandom } from '../../src/runtime/random.ts';

export interface Faults {
  readonly loss: number;
  readonly duplicate: number;
  /** Share of datagrams held back for a few milliseconds, so later ones overtake them. */
  readonly delay: number;
}

export interface LossyRelay {
  /** Node `id`'s view: its own real address, every peer at a relay. */
  addressesOf(id: NodeId): Map<NodeId, PeerAddress>;
  readonly counts: { passed: number; dropped: number; duplicated: number; delayed: number };
  close(): void;
}

const HOST = '127.0.0.1';

export async function lossyRelay(real: ReadonlyMap<NodeId, PeerAddress>, faults: Faults, seed: number): Promise<LossyRelay> {
  const random = seededRandom(seed);
  const counts = { passed: 0, dropped: 0, duplicated: 0, delayed: 0 };
  const timers = new Set<NodeJS.Timeout>();
  /** relays.get(`${i}>${j}`): the socket node i sends to when it means node j. */
  const relays = new Map<string, dgram.Socket>();
  for (const i of real.keys()) {
    for (const j of real.keys()) {
      if (i === j) continue;
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((ok) => socket.bind(0, HOST, ok));
      relays.set(`${i}>${j}`, socket);
    }
  }
  for (const [pair, socket] of relays) {
    const [i, j] = pair.split('>').map(Number) as [NodeId, NodeId];
    const to = real.get(j)!;
    const out = relays.get(`${j}>${i}`)!;
    const forward = (bytes: Uint8Array) => out.send(bytes, to.port, to.host);
    socket.on('message', (buffer) => {
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
      if (random.next() < faults.loss) {
        counts.dropped++;
        return;
      }
      counts.passed++;
      const copies = random.next() < faults.duplicate ? 2 : 1;
      if (copies === 2) counts.duplicated++;
      for (let k = 0; k < copies; k++) {
        if (random.next() < faults.delay) {
          counts.delayed++;
          const timer = setTimeout(() => { timers.delete(timer); forward(bytes); }, 1 + Math.floor(random.next() * 5));
          timers.add(timer);
        } else {
          forward(bytes);
        }
      }
    });
  }
  return {
    addressesOf: (id) => new Map([...real.keys()].map((j) => [j, j === id ? real.get(j)! : { host: HOST, port: relays.get(`${id}>${j}`)!.address().port }])),
    counts,
    close: () => {
      for (const t of timers) clearTimeout(t);
      for (const s of relays.values()) s.close();
    },
  };
}
