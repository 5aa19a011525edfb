// Where one request's latency goes at one in flight, from the stamps of bench/timeline-stamps.mjs
// (the three nodes) and the client's own: per request, the leader's stdin read, its first
// AppendEntries, the follower whose reply came first (its receipt, fsync, reply), the leader's own
// fsync and its ack, each as a time on the clock the processes share. Percentiles over requests.

/** [microseconds, what] as timeline-stamps.mjs writes them; the client's are 'propose' and 'ack'. */
export type Stamp = readonly [number, string];

/** One segment of a request's path: its median and 99th percentile, in microseconds. */
export interface Segment {
  readonly what: string;
  readonly medianUs: number;
  readonly p99Us: number;
}

const percentile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)] ?? NaN;

/** The index of the first stamp at or after `t` (stamps are in time order). */
function firstAt(stamps: readonly Stamp[], t: number): number {
  let lo = 0;
  let hi = stamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stamps[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first stamp of `what` at or after `from` (microseconds), or undefined. */
function next(stamps: readonly Stamp[], what: string, from: number): number | undefined {
  for (let i = firstAt(stamps, from); i < stamps.length; i++) if (stamps[i]![1] === what) return stamps[i]![0];
  return undefined;
}

/** The last stamp of `what` in [from, to], or undefined. */
function last(stamps: readonly Stamp[], what: string, from: number, to: number): number | undefined {
  for (let i = firstAt(stamps, to + 1) - 1; i >= 0 && stamps[i]![0] >= from; i--) if (stamps[i]![1] === what) return stamps[i]![0];
  return undefined;
}

interface Path {
  readonly [segment: string]: number;
}

/** One request's segments, from its proposal until the next one; undefined if a stamp is missing. */
function pathOf(client: readonly Stamp[], leader: readonly Stamp[], followers: readonly (readonly Stamp[])[], proposed: number): Path | undefined {
  const read = next(leader, 'in', proposed);
  if (read === undefined) return undefined;
  const sent = next(leader, 'send', read);
  const ownSync = next(leader, 'sync0', read);
  if (sent === undefined || ownSync === undefined) return undefined;
  const ownSynced = next(leader, 'sync1', ownSync)!;
  // Each follower's receipt, fsync and reply; the one heard first is what committed the request.
  const heard = followers.flatMap((f) => {
    const sync = next(f, 'sync0', sent);
    const received = sync === undefined ? undefined : last(f, 'recv', sent, sync);
    const synced = sync === undefined ? undefined : next(f, 'sync1', sync);
    const replied = synced === undefined ? undefined : next(f, 'send', synced);
    const back = replied === undefined ? undefined : next(leader, 'recv', replied);
    return received === undefined || back === undefined ? [] : [{ received, sync: sync!, synced: synced!, replied: replied!, back }];
  }).sort((a, b) => a.back - b.back)[0];
  if (heard === undefined) return undefined;
  const ready = Math.max(heard.back, ownSynced);
  const out = next(leader, 'out', ready);
  const acked = out === undefined ? undefined : next(client, 'ack', out);
  // CP.1: the leader announces the commit right after its ack, so each follower's next receipt is it.
  const told = out === undefined ? [] : followers.map((f) => next(f, 'recv', out));
  if (acked === undefined || told.some((t) => t === undefined)) return undefined;
  return {
    'client → leader (stdin)': read - proposed,
    'leader: read → first AppendEntries sent': sent - read,
    'AppendEntries in transit': heard.received - sent,
    'follower: received → its fsync starts': heard.sync - heard.received,
    'follower: fsync': heard.synced - heard.sync,
    'follower: fsync done → reply sent': heard.replied - heard.synced,
    'reply in transit': heard.back - heard.replied,
    'leader: read → its own fsync starts': ownSync - read,
    'leader: own fsync': ownSynced - ownSync,
    'leader: own fsync done, reply heard → ack written': out! - ready,
    'ack → client (stdout)': acked - out!,
    'ack written → every follower has heard of the commit (CP.1)': Math.max(...(told as number[])) - out!,
    'total': acked - proposed,
  };
}

/**
 * The median and 99th percentile of each segment over the requests whose every stamp was found, skipping the first
 * `skip` proposals (warm-up); also how many requests that is.
 */
export function latencyBreakdown(client: readonly Stamp[], leader: readonly Stamp[], followers: readonly (readonly Stamp[])[], skip: number): { segments: Segment[]; requests: number } {
  const proposals = client.filter(([, w]) => w === 'propose').map(([t]) => t).slice(skip);
  const paths = proposals.map((t) => pathOf(client, leader, followers, t)).filter((p): p is Path => p !== undefined);
  const names = paths.length === 0 ? [] : Object.keys(paths[0]!);
  const segment = (what: string) => {
    const us = paths.map((p) => p[what]!);
    return { what, medianUs: percentile(us, 0.5), p99Us: percentile(us, 0.99) };
  };
  return { segments: names.map(segment), requests: paths.length };
}
