// `--peers 1=127.0.0.1:7001,2=127.0.0.1:7002,3=[::1]:7003`: every member's id and UDP address.
import { nodeId, type NodeId } from '../machine/index.ts';
import type { PeerAddress } from '../runtime/udp-transport.ts';
import { UsageError } from './usage-error.ts';

export function parsePeers(text: string): Map<NodeId, PeerAddress> {
  const peers = new Map<NodeId, PeerAddress>();
  const owners = new Map<string, NodeId>();
  for (const item of text.split(',').filter((s) => s.trim() !== '')) {
    const m = /^\s*(\d+)=(?:\[([^\]]+)\]|([^:\s]+)):(\d+)\s*$/.exec(item);
    if (m === null) throw new UsageError(`--peers: "${item}" is not ID=HOST:PORT (IPv6 as ID=[::1]:PORT)`);
    const id = nodeId(Number(m[1]));
    const port = Number(m[4]);
    if (id < 1 || id > 0xffffffff) throw new UsageError(`--peers: node id ${m[1]} must be a positive integer`);
    if (port < 1 || port > 65535) throw new UsageError(`--peers: port ${m[4]} of node ${id} is not in 1..65535`);
    if (peers.has(id)) throw new UsageError(`--peers: node ${id} is listed twice`);
    const host = m[2] ?? m[3]!;
    // Two ids on one socket would receive each other's datagrams. Compared as written: another
    // spelling of the same host (localhost, a long IPv6 form) is not caught here.
    const address = `${host.includes(':') ? `[${host.toLowerCase()}]` : host.toLowerCase()}:${port}`;
    const owner = owners.get(address);
    if (owner !== undefined) throw new UsageError(`--peers: nodes ${owner} and ${id} have the same address ${address}`);
    owners.set(address, id);
    peers.set(id, { host, port });
  }
  if (peers.size === 0) throw new UsageError('--peers: no peers given');
  return peers;
}

export const formatPeers = (peers: ReadonlyMap<NodeId, PeerAddress>): string =>
  [...peers].map(([id, a]) => `${id}=${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`).join(',');
