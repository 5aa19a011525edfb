// One worker of a parallel breadth-first search (parallel-protocol.ts). It runs the whole search
// in one synchronous call: per level, it expands the states it owns, keeps the successors it owns
// (its own visited set and links, so no table is shared and nothing contends), streams the others
// to their owners, takes in what they stream to it, and meets the others at a barrier before the
// next level. The worker's code is a bundle (worker-script.ts) that calls serveWorker with the
// model's module.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { FingerprintSet } from './fingerprint-set.ts';
import { Links } from './links.ts';
import { modelFrom, type Model } from './model.ts';
import { Frontier, packedOf, Visited, type StateReceiver, type StateSender } from './packed.ts';
import { Control, mailOf, ownerOf, RECORD_HEADER, type Batch, type WorkerResult, type WorkerSetup } from './parallel-protocol.ts';
import { splitProperties } from './result.ts';

/** Successors per batch: enough to make posting cheap, few enough to keep the queues small. */
const BATCH = 2048;
/** States expanded between looks at the mail and the stop flag. */
const POLL = 256;

export function serveWorker(exports: Record<string, unknown>): void {
  const setup = (workerData as { setup: WorkerSetup }).setup;
  const result = search(modelFrom(exports, setup.spec), setup);
  parentPort!.postMessage(result, [result.parent.buffer as ArrayBuffer, result.action.buffer as ArrayBuffer]);
}

/** Successors bound for one other worker. */
class Outbox {
  records: Int32Array;
  count = 0;
  constructor(readonly recordWords: number, readonly sender: StateSender) {
    this.records = new Int32Array(BATCH * recordWords);
  }
}

function search<S, A>(model: Model<S, A>, setup: WorkerSetup): WorkerResult {
  const { index: me, workers } = setup;
  const control = new Int32Array(setup.control);
  const counts = new Float64Array(setup.counts);
  const packed = packedOf(model);
  const width = packed.width;
  const recordWords = RECORD_HEADER + width;
  const { always, sometimes } = splitProperties(model);
  const seen = new FingerprintSet();
  const links = new Links();
  let level = new Frontier(width);
  let next = new Frontier(width);
  const outboxes: (Outbox | undefined)[] = setup.peers.map((p) => p && new Outbox(recordWords, packed.sender()));
  const receivers: (StateReceiver | undefined)[] = setup.peers.map((p) => p && packed.receiver());
  const ports = setup.peers.flatMap((port, from) => (port ? [{ port, from }] : []));

  let depth = 0;
  let maxDepth = 0;
  let generated = 0;
  let parent = -1;
  let ended = 0;
  let peakBytes = 0;
  let violation: { property: string; id: number } | undefined;
  const reached: [string, number, number, number][] = [];
  let watch = sometimes.map((p, bit) => ({ p, bit }));
  const stop = () => Atomics.store(control, Control.Stop, 1);

  /** Keeps a successor this worker owns and has not seen: a link, the next level, the properties. */
  const keep = (words: Int32Array, at: number, from: number, k: number): Visited => {
    const id = links.size * workers + me;
    links.add(from, k);
    next.push(words, at, id);
    maxDepth = depth + 1;
    if (always.length === 0 || violation !== undefined) return Visited.Kept;
    const state = packed.view(words, at);
    for (const p of always) {
      if (!p.holds(state)) { violation = { property: p.name, id }; stop(); return Visited.Stop; }
    }
    return Visited.Kept;
  };

  const visit = (k: number, words: Int32Array, hi: number, lo: number): Visited => {
    generated++;
    // Sometimes-properties are looked for before duplicates are dropped (see bfs.ts).
    if (watch.length > 0) {
      const state = packed.view(words, 0);
      for (let i = watch.length - 1; i >= 0; i--) {
        const { p, bit } = watch[i]!;
        if (p.holds(state)) { reached.push([p.name, parent, k, depth + 1]); Atomics.or(control, Control.Reached, 1 << bit); watch.splice(i, 1); }
      }
    }
    const owner = ownerOf(hi, workers);
    if (owner === me) return seen.insert(hi, lo) ? keep(words, 0, parent, k) : Visited.Duplicate;
    const box = outboxes[owner]!;
    const at = box.count * recordWords;
    const r = box.records;
    r[at] = hi; r[at + 1] = lo; r[at + 2] = parent; r[at + 3] = k;
    for (let i = 0; i < width; i++) r[at + RECORD_HEADER + i] = words[i]!;
    box.sender.note(r, at + RECORD_HEADER);
    if (++box.count === BATCH) post(owner, false);
    return Visited.Kept;
  };

  function post(to: number, end: boolean): void {
    const box = outboxes[to]!;
    const full = box.count === BATCH;
    const records = full ? box.records : box.records.slice(0, box.count * recordWords);
    const batch: Batch = { definitions: box.sender.definitions(), records, count: box.count, end };
    setup.peers[to]!.postMessage(batch, [batch.definitions.buffer as ArrayBuffer, records.buffer as ArrayBuffer]);
    if (full) box.records = new Int32Array(BATCH * recordWords);
    box.count = 0;
    const mail = mailOf(workers, to);
    Atomics.add(control, mail, 1);
    Atomics.notify(control, mail);
  }

  function take(from: number, { definitions, records, count, end }: Batch): void {
    const receiver = receivers[from]!;
    receiver.define(definitions);
    for (let j = 0; j < count; j++) {
      const at = j * recordWords;
      if (!seen.insert(records[at]!, records[at + 1]!)) continue;
      receiver.translate(records, at + RECORD_HEADER);
      keep(records, at + RECORD_HEADER, records[at + 2]!, records[at + 3]!);
    }
    if (end) ended++;
  }

  /** Takes what has arrived; with `wholeLevel`, waits until every other worker has ended the level. */
  function drain(wholeLevel: boolean): void {
    const mail = mailOf(workers, me);
    for (;;) {
      const posted = Atomics.load(control, mail);
      let got = false;
      for (const { port, from } of ports) {
        for (let m = receiveMessageOnPort(port as MessagePort); m !== undefined; m = receiveMessageOnPort(port as MessagePort)) {
          take(from, m.message as Batch);
          got = true;
        }
      }
      if (!wholeLevel || ended === workers - 1) return;
      if (!got) Atomics.wait(control, mail, posted);
    }
  }

  /** Every worker arrives, then all go on knowing what the last to arrive saw of Stop. */
  function barrier(): boolean {
    const generation = Atomics.load(control, Control.Generation);
    if (Atomics.add(control, Control.Arrived, 1) === workers - 1) {
      Atomics.store(control, Control.Arrived, 0);
      Atomics.store(control, Control.Decision, Atomics.load(control, Control.Stop));
      Atomics.add(control, Control.Generation, 1);
      Atomics.notify(control, Control.Generation);
    } else {
      while (Atomics.load(control, Control.Generation) === generation) Atomics.wait(control, Control.Generation, generation);
    }
    return Atomics.load(control, Control.Decision) === 1;
  }

  const limitReached = () => {
    if (setup.maxStates === undefined) return false;
    let distinct = 0;
    for (let w = 0; w < workers; w++) distinct += counts[2 * w + 1]!;
    return distinct >= setup.maxStates;
  };
  const publish = () => { counts[2 * me] = generated; counts[2 * me + 1] = seen.size; };
  const measure = () => {
    const boxes = outboxes.reduce((sum, b) => sum + (b ? b.records.byteLength : 0), 0);
    peakBytes = Math.max(peakBytes, seen.bytes + links.bytes + level.bytes + next.bytes + boxes + packed.bytes);
  };

  // Every worker packs the initial states and keeps those it owns.
  const rootWords = packed.initialStates();
  for (let i = 0; i * width < rootWords.length && violation === undefined; i++) {
    const fp = packed.fingerprint(rootWords, i * width);
    if (ownerOf(fp.hi, workers) !== me || !seen.insert(fp.hi, fp.lo)) continue;
    const state = packed.view(rootWords, i * width);
    for (const { p, bit } of watch) {
      if (p.holds(state)) { reached.push([p.name, links.size * workers + me, -1, 0]); Atomics.or(control, Control.Reached, 1 << bit); }
    }
    keep(rootWords, i * width, -1 - i, -1);
  }
  maxDepth = 0;

  let exhausted = false;
  for (;;) {
    [level, next] = [next, level];
    next.count = 0;
    measure();
    publish();
    Atomics.store(control, Control.Size + me, level.count);
    const stopping = barrier();
    let total = 0;
    for (let w = 0; w < workers; w++) total += Atomics.load(control, Control.Size + w);
    if (total === 0) { exhausted = true; break; }
    if (stopping || (setup.maxDepth !== undefined && depth >= setup.maxDepth)) break;
    if (me === 0) Atomics.store(control, Control.Depth, depth);
    const seenBits = Atomics.load(control, Control.Reached);
    watch = watch.filter(({ bit }) => (seenBits & (1 << bit)) === 0);
    ended = 0;
    for (let i = 0; i < level.count; i++) {
      if (i % POLL === 0) {
        publish();
        drain(false);
        if (limitReached()) stop();
        if (Atomics.load(control, Control.Stop) === 1) break;
      }
      parent = level.ids[i]!;
      if (packed.successors(level.words, i * width, visit)) break;
    }
    for (let to = 0; to < workers; to++) if (to !== me) post(to, true);
    drain(true);
    depth++;
  }
  // A level cut short leaves states unexpanded; keep the counts of what was done.
  publish();
  return {
    generated, distinct: seen.size, maxDepth, exhausted, violation, reached, peakBytes,
    parent: links.parent.subarray(0, links.size), action: links.action.subarray(0, links.size),
  };
}
