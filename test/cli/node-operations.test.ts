// Issue 12, "a process you can leave running": `raft node` stops cleanly on SIGTERM and SIGINT (the
// save in progress finishes, the files close, exit 0, the data reopens whole), logs JSON lines, and
// serves its metrics in the Prometheus text format.
import dgram from 'node:dgram';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, logIndex, nodeId } from '../../src/machine/index.ts';
import { cliCommands } from '../../src/cli/command-input.ts';
import { NodeProcess } from '../../src/cli/node-process.ts';
import type { NodeEvent } from '../../src/cli/node-events.ts';
import { FileStorage } from '../../src/runtime/file-storage.ts';
import { LocalCluster, freePorts, keyFileFlags, until } from '../support/local-cluster.ts';
import { metricsUrl, parseMetrics } from '../support/steady-load.ts';

interface LogLine { readonly time: string; readonly level: string; readonly node: number; readonly msg: string }

function logLines(stderr: readonly string[]): LogLine[] {
  return stderr.map((l) => JSON.parse(l) as LogLine);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`raft node on ${signal} while saving: exits 0, logs JSON lines, and its data reopens with every acknowledged line and no torn tail`, { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raft-shutdown-'));
    const [port] = await freePorts(1);
    const events: NodeEvent[] = [];
    const stderr: string[] = [];
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const flags = await keyFileFlags(`${dir}.key`);
    const node = new NodeProcess({
      id: nodeId(1), peers: `1=127.0.0.1:${port}`, dataDir: dir, clusterId: 9, flags,
      onEvent: (e) => events.push(e), onStderr: (l) => stderr.push(l), onExit: (code, sig) => { exit = { code, signal: sig }; },
    });
    try {
      await until('the node to lead', () => events.some((e) => e.event === 'status' && e.role === 'leader'));
      // Keep proposals coming, one more per ack, so that saves follow each other and the signal
      // finds one in progress.
      const acked = new Map<number, number>();
      const onAck = () => {
        for (const e of events.splice(0)) {
          if (e.event !== 'ack') continue;
          acked.set(e.line, e.index);
          node.propose(`{"after":${e.line}}`);
          node.propose(`"more after ${e.line}"`);
        }
      };
      const timer = setInterval(onAck, 1);
      for (let i = 0; i < 16; i++) node.propose(`"line ${i}"`);
      await until('200 lines committed', () => acked.size >= 200);
      await node.kill(signal);
      clearInterval(timer);
      onAck();
      assert.deepEqual(exit, { code: 0, signal: null }, stderr.join('\n'));
      const lines = logLines(stderr);
      assert.ok(lines.every((l) => typeof l.time === 'string' && l.node === 1 && ['debug', 'info', 'warn', 'error'].includes(l.level)), stderr.join('\n'));
      assert.deepEqual(lines.filter((l) => l.level === 'error' || l.level === 'warn'), []);
      assert.ok(lines.some((l) => l.msg === `${signal}: stopping`));

      const warnings: string[] = [];
      const reopened = await FileStorage.open({
        dir, clusterId: 9, nodeId: nodeId(1), commands: cliCommands,
        logger: { debug: () => {}, info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
      });
      try {
        assert.deepEqual(warnings, [], 'the shutdown left a torn record');
        const state = reopened.load();
        assert.ok(state !== null);
        const last = Math.max(...acked.values());
        assert.ok(log.lastIndex(state.log) >= last, `log ends at ${log.lastIndex(state.log)}, acknowledged up to ${last}`);
        assert.equal(log.entriesBetween(state.log, logIndex(1), logIndex(last)).length, last);
      } finally {
        await reopened.close();
      }
    } finally {
      await node.kill();
      await rm(dir, { recursive: true, force: true });
      await rm(`${dir}.key`, { force: true });
    }
  });
}

test('raft node --metrics-port serves term, role, indices, per-peer traffic, drops and fsync latencies', { timeout: 60_000 }, async () => {
  const cluster = await LocalCluster.start(3, ['--metrics-port', '0']);
  try {
    const leader = await until('a leader', () => cluster.leader());
    let acked = 0;
    const unlisten = cluster.listen((n, e) => { if (n === leader && e.event === 'ack') acked++; });
    for (let i = 0; i < 20; i++) leader.process!.propose(`"m${i}"`);
    await until('20 commits', () => acked === 20);
    unlisten();
    const url = await until('the metrics address', () => metricsUrl(leader.stderr));
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(await response.text());
    assert.equal(m.get('raft_term'), leader.status!.term);
    assert.equal(m.get('raft_role{role="leader"}'), 1);
    assert.equal(m.get('raft_role{role="follower"}'), 0);
    assert.ok(m.get('raft_commit_index')! >= 20 && m.get('raft_apply_index')! >= 20, JSON.stringify([...m]));
    for (const peer of cluster.nodes.filter((n) => n !== leader)) {
      for (const name of ['messages_sent', 'messages_received', 'datagrams_sent', 'bytes_sent', 'bytes_received']) {
        assert.ok(m.get(`raft_${name}_total{peer="${peer.id}"}`)! > 0, `raft_${name}_total for peer ${peer.id}`);
      }
    }
    assert.equal(m.get('raft_datagrams_dropped_total{reason="invalid"}'), 0);
    // Every appended batch was fsynced, and each lands in a bucket, +Inf holding them all.
    const syncs = m.get('raft_wal_fsync_seconds_count')!;
    assert.ok(syncs >= 1);
    assert.equal(m.get('raft_wal_fsync_seconds_bucket{le="+Inf"}'), syncs);
    assert.equal((await fetch(url.replace(/\/metrics$/, '/other'))).status, 404);

    // A datagram from an address that is no member's is counted under its reason.
    const stranger = dgram.createSocket('udp4');
    const { host, port } = cluster.address(leader);
    await new Promise<void>((ok) => stranger.send(new Uint8Array(40), port, host, () => ok()));
    stranger.close();
    let strangers = 0;
    for (let tries = 0; strangers === 0 && tries < 200; tries++) {
      await new Promise((r) => setTimeout(r, 25));
      strangers = parseMetrics(await (await fetch(url)).text()).get('raft_datagrams_dropped_total{reason="stranger"}')!;
    }
    assert.equal(strangers, 1);
  } finally {
    await cluster.stop();
  }
});
