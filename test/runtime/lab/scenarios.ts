// The 28 tests of the 6.5840 Lab 3 tester (test_test.go, Spring 2024), step for step, with the
// same checks and budgets. Each is a script over a Lab config; the runner chooses the clock.
import type { Command } from '../../../src/machine/index.ts';
import { Lab, MAX_LOG_SIZE, RAFT_ELECTION_TIMEOUT, SNAPSHOT_INTERVAL, type LabEnv } from './config.ts';

export interface Scenario {
  readonly name: string;
  readonly part: '3A' | '3B' | '3C' | '3D';
  readonly run: (env: LabEnv) => Promise<void>;
}

const make = (env: LabEnv, servers: number, unreliable: boolean, snapshot: boolean): Lab =>
  new Lab(env, servers, unreliable, snapshot);

// ---- 3A: leader election ------------------------------------------------------------------

async function initialElection(env: LabEnv): Promise<void> {
  const cfg = make(env, 3, false, false);
  cfg.begin();
  await cfg.checkOneLeader();
  await cfg.sleep(50);
  const term1 = cfg.checkTerms();
  if (term1 < 1) cfg.fail(`term is ${term1}, but should be at least 1`);
  await cfg.sleep(2 * RAFT_ELECTION_TIMEOUT);
  cfg.checkTerms(); // a changed term is only a warning in the lab
  await cfg.checkOneLeader();
  cfg.end();
}

async function reElection(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect(leader1);
  await cfg.checkOneLeader();
  cfg.connect(leader1);
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect(leader2);
  cfg.disconnect((leader2 + 1) % servers);
  await cfg.sleep(2 * RAFT_ELECTION_TIMEOUT);
  cfg.checkNoLeader();
  cfg.connect((leader2 + 1) % servers);
  await cfg.checkOneLeader();
  cfg.connect(leader2);
  await cfg.checkOneLeader();
  cfg.end();
}

async function manyElections(env: LabEnv): Promise<void> {
  const servers = 7;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.checkOneLeader();
  for (let ii = 1; ii < 10; ii++) {
    const i1 = cfg.rand.int(servers);
    const i2 = cfg.rand.int(servers);
    const i3 = cfg.rand.int(servers);
    cfg.disconnect(i1);
    cfg.disconnect(i2);
    cfg.disconnect(i3);
    await cfg.checkOneLeader();
    cfg.connect(i1);
    cfg.connect(i2);
    cfg.connect(i3);
  }
  await cfg.checkOneLeader();
  cfg.end();
}

// ---- 3B: log replication ------------------------------------------------------------------

async function basicAgree(env: LabEnv): Promise<void> {
  const cfg = make(env, 3, false, false);
  cfg.begin();
  for (let index = 1; index < 4; index++) {
    if (cfg.nCommitted(index).count > 0) cfg.fail('some have committed before Start()');
    const xindex = await cfg.one(index * 100, 3, false);
    if (xindex !== index) cfg.fail(`got index ${xindex} but expected ${index}`);
  }
  cfg.end();
}

async function rpcBytes(env: LabEnv): Promise<void> {
  const cfg = make(env, 3, false, false);
  cfg.begin();
  await cfg.one(99, 3, false);
  const bytes0 = cfg.bytesTotal();
  const iters = 10;
  let sent = 0;
  for (let index = 2; index < iters + 2; index++) {
    const cmd = cfg.randString(5000);
    const xindex = await cfg.one(cmd, 3, false);
    if (xindex !== index) cfg.fail(`got index ${xindex} but expected ${index}`);
    sent += cmd.length;
  }
  const got = cfg.bytesTotal() - bytes0;
  const expected = 3 * sent;
  if (got > expected + 50_000) cfg.fail(`too many RPC bytes; got ${got}, expected ${expected}`);
  cfg.end();
}

async function followerFailure(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(101, servers, false);
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect((leader1 + 1) % servers);
  await cfg.one(102, servers - 1, false);
  await cfg.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(103, servers - 1, false);
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect((leader2 + 1) % servers);
  cfg.disconnect((leader2 + 2) % servers);
  const { index, isLeader } = cfg.rafts[leader2]!.start(104);
  if (!isLeader) cfg.fail('leader rejected Start()');
  if (index !== 4) cfg.fail(`expected index 4, got ${index}`);
  await cfg.sleep(2 * RAFT_ELECTION_TIMEOUT);
  const n = cfg.nCommitted(index).count;
  if (n > 0) cfg.fail(`${n} committed but no majority`);
  cfg.end();
}

async function leaderFailure(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(101, servers, false);
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect(leader1);
  await cfg.one(102, servers - 1, false);
  await cfg.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(103, servers - 1, false);
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect(leader2);
  for (let i = 0; i < servers; i++) cfg.rafts[i]?.start(104);
  await cfg.sleep(2 * RAFT_ELECTION_TIMEOUT);
  const n = cfg.nCommitted(4).count;
  if (n > 0) cfg.fail(`${n} committed but no majority`);
  cfg.end();
}

async function failAgree(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(101, servers, false);
  const leader = await cfg.checkOneLeader();
  cfg.disconnect((leader + 1) % servers);
  await cfg.one(102, servers - 1, false);
  await cfg.one(103, servers - 1, false);
  await cfg.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(104, servers - 1, false);
  await cfg.one(105, servers - 1, false);
  cfg.connect((leader + 1) % servers);
  await cfg.one(106, servers, true);
  await cfg.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(107, servers, true);
  cfg.end();
}

async function failNoAgree(env: LabEnv): Promise<void> {
  const servers = 5;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(10, servers, false);
  const leader = await cfg.checkOneLeader();
  cfg.disconnect((leader + 1) % servers);
  cfg.disconnect((leader + 2) % servers);
  cfg.disconnect((leader + 3) % servers);
  const r = cfg.rafts[leader]!.start(20);
  if (!r.isLeader) cfg.fail('leader rejected Start()');
  if (r.index !== 2) cfg.fail(`expected index 2, got ${r.index}`);
  await cfg.sleep(2 * RAFT_ELECTION_TIMEOUT);
  const n = cfg.nCommitted(r.index).count;
  if (n > 0) cfg.fail(`${n} committed but no majority`);
  cfg.connect((leader + 1) % servers);
  cfg.connect((leader + 2) % servers);
  cfg.connect((leader + 3) % servers);
  const leader2 = await cfg.checkOneLeader();
  const r2 = cfg.rafts[leader2]!.start(30);
  if (!r2.isLeader) cfg.fail('leader2 rejected Start()');
  if (r2.index < 2 || r2.index > 3) cfg.fail(`unexpected index ${r2.index}`);
  await cfg.one(1000, servers, true);
  cfg.end();
}

async function concurrentStarts(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  let success = false;
  loop: for (let tries = 0; tries < 5; tries++) {
    if (tries > 0) await cfg.sleep(3000); // give solution some time to settle
    const leader = await cfg.checkOneLeader();
    const first = cfg.rafts[leader]!.start(1);
    if (!first.isLeader) continue; // leader moved on really quickly
    const term = first.term;
    const indices: number[] = [];
    for (let ii = 0; ii < 5; ii++) { // the lab's five goroutines; Start() never blocks
      const r = cfg.rafts[leader]!.start(100 + ii);
      if (r.term === term && r.isLeader) indices.push(r.index);
    }
    for (let j = 0; j < servers; j++) {
      if (cfg.rafts[j]!.getState().term !== term) continue loop; // term changed, can't expect low RPC counts
    }
    let failed = false;
    const cmds: Command[] = [];
    for (const index of indices) {
      const cmd = await cfg.wait(index, servers, term);
      if (typeof cmd !== 'number') cfg.fail(`value ${String(cmd)} is not an int`);
      if (cmd === -1) { failed = true; break; } // peers have moved on to later terms
      cmds.push(cmd);
    }
    if (failed) continue; // avoid leaking goroutines
    for (let ii = 0; ii < 5; ii++) {
      const x = 100 + ii;
      if (!cmds.includes(x)) cfg.fail(`cmd ${x} missing in ${cmds.join(',')}`);
    }
    success = true;
    break;
  }
  if (!success) cfg.fail('term changed too often');
  cfg.end();
}

async function rejoin(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(101, servers, true);
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect(leader1);
  cfg.rafts[leader1]!.start(102);
  cfg.rafts[leader1]!.start(103);
  cfg.rafts[leader1]!.start(104);
  await cfg.one(103, 2, true);
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect(leader2);
  cfg.connect(leader1);
  await cfg.one(104, 2, true);
  cfg.connect(leader2);
  await cfg.one(105, servers, true);
  cfg.end();
}

async function backup(env: LabEnv): Promise<void> {
  const servers = 5;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(cfg.rand.safeInt(), servers, true);
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect((leader1 + 2) % servers);
  cfg.disconnect((leader1 + 3) % servers);
  cfg.disconnect((leader1 + 4) % servers);
  for (let i = 0; i < 50; i++) cfg.rafts[leader1]!.start(cfg.rand.safeInt()); // lots of commands that won't commit
  await cfg.sleep(RAFT_ELECTION_TIMEOUT / 2);
  cfg.disconnect((leader1 + 0) % servers);
  cfg.disconnect((leader1 + 1) % servers);
  cfg.connect((leader1 + 2) % servers);
  cfg.connect((leader1 + 3) % servers);
  cfg.connect((leader1 + 4) % servers);
  for (let i = 0; i < 50; i++) await cfg.one(cfg.rand.safeInt(), 3, true);
  const leader2 = await cfg.checkOneLeader();
  let other = (leader1 + 2) % servers;
  if (leader2 === other) other = (leader2 + 1) % servers;
  cfg.disconnect(other);
  for (let i = 0; i < 50; i++) cfg.rafts[leader2]!.start(cfg.rand.safeInt());
  await cfg.sleep(RAFT_ELECTION_TIMEOUT / 2);
  for (let i = 0; i < servers; i++) cfg.disconnect(i);
  cfg.connect((leader1 + 0) % servers);
  cfg.connect((leader1 + 1) % servers);
  cfg.connect(other);
  for (let i = 0; i < 50; i++) await cfg.one(cfg.rand.safeInt(), 3, true);
  for (let i = 0; i < servers; i++) cfg.connect(i);
  await cfg.one(cfg.rand.safeInt(), servers, true);
  cfg.end();
}

async function count(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  const rpcs = (): number => {
    let n = 0;
    for (let j = 0; j < servers; j++) n += cfg.rpcCount(j);
    return n;
  };
  let leader = await cfg.checkOneLeader();
  let total1 = rpcs();
  if (total1 > 30 || total1 < 1) cfg.fail(`too many or few RPCs (${total1}) to elect initial leader`);
  let total2 = 0;
  let success = false;
  loop: for (let tries = 0; tries < 5; tries++) {
    if (tries > 0) await cfg.sleep(3000);
    leader = await cfg.checkOneLeader();
    total1 = rpcs();
    const iters = 10;
    const first = cfg.rafts[leader]!.start(1);
    if (!first.isLeader) continue; // leader moved on really quickly
    const { index: starti, term } = first;
    const cmds: number[] = [];
    for (let i = 1; i < iters + 2; i++) {
      const x = cfg.rand.int(2 ** 31);
      cmds.push(x);
      const r = cfg.rafts[leader]!.start(x);
      if (r.term !== term) continue loop; // term changed while starting
      if (!r.isLeader) continue loop; // no longer the leader, so term has changed
      if (starti + i !== r.index) cfg.fail('Start() failed');
    }
    for (let i = 1; i < iters + 1; i++) {
      const cmd = await cfg.wait(starti + i, servers, term);
      if (cmd !== cmds[i - 1]) {
        if (cmd === -1) continue loop; // term changed -- try again
        cfg.fail(`wrong value ${String(cmd)} committed for index ${starti + i}; expected ${cmds.join(',')}`);
      }
    }
    let failed = false;
    total2 = 0;
    for (let j = 0; j < servers; j++) {
      if (cfg.rafts[j]!.getState().term !== term) failed = true; // term changed, can't expect low RPC counts
      total2 += cfg.rpcCount(j);
    }
    if (failed) continue;
    if (total2 - total1 > (iters + 1 + 3) * 3) cfg.fail(`too many RPCs (${total2 - total1}) for ${iters} entries`);
    success = true;
    break;
  }
  if (!success) cfg.fail('term changed too often');
  await cfg.sleep(RAFT_ELECTION_TIMEOUT);
  const total3 = rpcs();
  if (total3 - total2 > 3 * 20) cfg.fail(`too many RPCs (${total3 - total2}) for 1 second of idleness`);
  cfg.end();
}

// ---- 3C: persistence ----------------------------------------------------------------------

async function persist1(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(11, servers, true);
  for (let i = 0; i < servers; i++) cfg.start1(i); // crash and re-start all
  for (let i = 0; i < servers; i++) {
    cfg.disconnect(i);
    cfg.connect(i);
  }
  await cfg.one(12, servers, true);
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect(leader1);
  cfg.start1(leader1);
  cfg.connect(leader1);
  await cfg.one(13, servers, true);
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect(leader2);
  await cfg.one(14, servers - 1, true);
  cfg.start1(leader2);
  cfg.connect(leader2);
  await cfg.wait(4, servers, -1); // wait for leader2 to join before killing i3
  const i3 = ((await cfg.checkOneLeader()) + 1) % servers;
  cfg.disconnect(i3);
  await cfg.one(15, servers - 1, true);
  cfg.start1(i3);
  cfg.connect(i3);
  await cfg.one(16, servers, true);
  cfg.end();
}

async function persist2(env: LabEnv): Promise<void> {
  const servers = 5;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  let index = 1;
  for (let iters = 0; iters < 5; iters++) {
    await cfg.one(10 + index, servers, true);
    index++;
    const leader1 = await cfg.checkOneLeader();
    cfg.disconnect((leader1 + 1) % servers);
    cfg.disconnect((leader1 + 2) % servers);
    await cfg.one(10 + index, servers - 2, true);
    index++;
    cfg.disconnect((leader1 + 0) % servers);
    cfg.disconnect((leader1 + 3) % servers);
    cfg.disconnect((leader1 + 4) % servers);
    cfg.start1((leader1 + 1) % servers);
    cfg.start1((leader1 + 2) % servers);
    cfg.connect((leader1 + 1) % servers);
    cfg.connect((leader1 + 2) % servers);
    await cfg.sleep(RAFT_ELECTION_TIMEOUT);
    cfg.start1((leader1 + 3) % servers);
    cfg.connect((leader1 + 3) % servers);
    await cfg.one(10 + index, servers - 2, true);
    index++;
    cfg.connect((leader1 + 4) % servers);
    cfg.connect((leader1 + 0) % servers);
  }
  await cfg.one(1000, servers, true);
  cfg.end();
}

async function persist3(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(101, 3, true);
  const leader = await cfg.checkOneLeader();
  cfg.disconnect((leader + 2) % servers);
  await cfg.one(102, 2, true);
  cfg.crash1((leader + 0) % servers);
  cfg.crash1((leader + 1) % servers);
  cfg.connect((leader + 2) % servers);
  cfg.start1((leader + 0) % servers);
  cfg.connect((leader + 0) % servers);
  await cfg.one(103, 2, true);
  cfg.start1((leader + 1) % servers);
  cfg.connect((leader + 1) % servers);
  await cfg.one(104, servers, true);
  cfg.end();
}

/** The lab's sleep between Figure 8 iterations: usually under 13 ms, one time in ten up to 0.5 s. */
const figure8Pause = (cfg: Lab): number => (cfg.rand.int(1000) < 100 ? cfg.rand.int(RAFT_ELECTION_TIMEOUT / 2) : cfg.rand.int(13));

async function figure8(env: LabEnv): Promise<void> {
  const servers = 5;
  const cfg = make(env, servers, false, false);
  cfg.begin();
  await cfg.one(cfg.rand.safeInt(), 1, true);
  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      const raft = cfg.rafts[i];
      if (raft != null && raft.start(cfg.rand.safeInt()).isLeader) leader = i;
    }
    await cfg.sleep(figure8Pause(cfg));
    if (leader !== -1) {
      cfg.crash1(leader);
      nup--;
    }
    if (nup < 3) {
      const s = cfg.rand.int(servers);
      if (cfg.rafts[s] == null) {
        cfg.start1(s);
        cfg.connect(s);
        nup++;
      }
    }
  }
  for (let i = 0; i < servers; i++) {
    if (cfg.rafts[i] == null) {
      cfg.start1(i);
      cfg.connect(i);
    }
  }
  await cfg.one(cfg.rand.safeInt(), servers, true);
  cfg.end();
}

async function unreliableAgree(env: LabEnv): Promise<void> {
  const servers = 5;
  const cfg = make(env, servers, true, false);
  cfg.begin();
  const clients: Promise<number>[] = [];
  for (let iters = 1; iters < 50; iters++) {
    for (let j = 0; j < 4; j++) clients.push(cfg.spawn(() => cfg.one(100 * iters + j, 1, true)));
    await cfg.one(iters, 1, true);
  }
  cfg.setUnreliable(false);
  await Promise.all(clients);
  await cfg.one(100, servers, true);
  cfg.end();
}

async function figure8Unreliable(env: LabEnv): Promise<void> {
  const servers = 5;
  const cfg = make(env, servers, true, false);
  cfg.begin();
  await cfg.one(cfg.rand.int(10000), 1, true);
  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    if (iters === 200) cfg.setLongReordering(true);
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      if (cfg.rafts[i]!.start(cfg.rand.int(10000)).isLeader && cfg.connected[i]) leader = i;
    }
    await cfg.sleep(figure8Pause(cfg));
    if (leader !== -1 && cfg.rand.int(1000) < RAFT_ELECTION_TIMEOUT / 2) {
      cfg.disconnect(leader);
      nup--;
    }
    if (nup < 3) {
      const s = cfg.rand.int(servers);
      if (!cfg.connected[s]) {
        cfg.connect(s);
        nup++;
      }
    }
  }
  for (let i = 0; i < servers; i++) if (!cfg.connected[i]) cfg.connect(i);
  await cfg.one(cfg.rand.int(10000), servers, true);
  cfg.end();
}

async function internalChurn(env: LabEnv, unreliable: boolean): Promise<void> {
  const servers = 5;
  const cfg = make(env, servers, unreliable, false);
  cfg.begin();
  let stop = false;
  // Each client submits to every server and records what it saw committed.
  const client = async (me: number): Promise<number[]> => {
    const values: number[] = [];
    while (!stop) {
      const x = cfg.rand.safeInt();
      let index = -1;
      let ok = false;
      for (let i = 0; i < servers; i++) {
        const raft = cfg.rafts[i];
        if (raft == null) continue;
        const r = raft.start(x);
        if (r.isLeader) {
          ok = r.isLeader;
          index = r.index;
        }
      }
      if (ok) {
        // maybe leader will commit our value, maybe not. but don't wait forever.
        for (const to of [10, 20, 50, 100, 200]) {
          const { count, command } = cfg.nCommitted(index);
          if (count > 0) {
            if (typeof command !== 'number') cfg.fail('wrong command type');
            if (command === x) values.push(x);
            break;
          }
          await cfg.sleep(to);
        }
      } else {
        await cfg.sleep(79 + me * 17);
      }
    }
    return values;
  };
  const clients = [0, 1, 2].map((me) => cfg.spawn(() => client(me)));
  for (let iters = 0; iters < 20; iters++) {
    if (cfg.rand.int(1000) < 200) cfg.disconnect(cfg.rand.int(servers));
    if (cfg.rand.int(1000) < 500) {
      const i = cfg.rand.int(servers);
      if (cfg.rafts[i] == null) cfg.start1(i);
      cfg.connect(i);
    }
    if (cfg.rand.int(1000) < 200) {
      const i = cfg.rand.int(servers);
      if (cfg.rafts[i] != null) cfg.crash1(i);
    }
    // Make crash/restart infrequent enough that the servers can catch up.
    await cfg.sleep((RAFT_ELECTION_TIMEOUT * 7) / 10);
  }
  await cfg.sleep(RAFT_ELECTION_TIMEOUT);
  cfg.setUnreliable(false);
  for (let i = 0; i < servers; i++) {
    if (cfg.rafts[i] == null) cfg.start1(i);
    cfg.connect(i);
  }
  stop = true;
  const values = (await Promise.all(clients)).flat();
  await cfg.sleep(RAFT_ELECTION_TIMEOUT);
  const lastIndex = await cfg.one(cfg.rand.safeInt(), servers, true);
  const really: Command[] = [];
  for (let index = 1; index <= lastIndex; index++) {
    const v = await cfg.wait(index, servers, -1);
    if (typeof v !== 'number') cfg.fail('not an int');
    really.push(v);
  }
  const committed = new Set(really);
  for (const v1 of values) if (!committed.has(v1)) cfg.fail("didn't find a value");
  cfg.end();
}

// ---- 3D: snapshots ------------------------------------------------------------------------

async function snapcommon(env: LabEnv, disconnect: boolean, reliable: boolean, crash: boolean): Promise<void> {
  const iters = 30;
  const servers = 3;
  const cfg = make(env, servers, !reliable, true);
  cfg.begin();
  await cfg.one(cfg.rand.safeInt(), servers, true);
  let leader1 = await cfg.checkOneLeader();
  for (let i = 0; i < iters; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }
    if (disconnect) {
      cfg.disconnect(victim);
      await cfg.one(cfg.rand.safeInt(), servers - 1, true);
    }
    if (crash) {
      cfg.crash1(victim);
      await cfg.one(cfg.rand.safeInt(), servers - 1, true);
    }
    // perhaps send enough to get a snapshot
    const nn = Math.floor(SNAPSHOT_INTERVAL / 2) + cfg.rand.int(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) cfg.rafts[sender]?.start(cfg.rand.safeInt());
    // let applier threads catch up with the Start()'s
    if (!disconnect && !crash) {
      // make sure all followers have caught up, so that an InstallSnapshot RPC isn't required
      await cfg.one(cfg.rand.safeInt(), servers, true);
    } else {
      await cfg.one(cfg.rand.safeInt(), servers - 1, true);
    }
    if (cfg.logSize() >= MAX_LOG_SIZE) cfg.fail('Log size too large');
    if (disconnect) {
      // reconnect a follower, who maybe behind and needs to rceive a snapshot to catch up.
      cfg.connect(victim);
      await cfg.one(cfg.rand.safeInt(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
    if (crash) {
      cfg.start1(victim);
      cfg.connect(victim);
      await cfg.one(cfg.rand.safeInt(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
  }
  cfg.end();
}

async function snapshotAllCrash(env: LabEnv): Promise<void> {
  const servers = 3;
  const iters = 5;
  const cfg = make(env, servers, false, true);
  cfg.begin();
  await cfg.one(cfg.rand.safeInt(), servers, true);
  for (let i = 0; i < iters; i++) {
    // perhaps enough to get a snapshot
    const nn = Math.floor(SNAPSHOT_INTERVAL / 2) + cfg.rand.int(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) await cfg.one(cfg.rand.safeInt(), servers, true);
    const index1 = await cfg.one(cfg.rand.safeInt(), servers, true);
    // crash all
    for (let k = 0; k < servers; k++) cfg.crash1(k);
    // revive all
    for (let k = 0; k < servers; k++) {
      cfg.start1(k);
      cfg.connect(k);
    }
    const index2 = await cfg.one(cfg.rand.safeInt(), servers, true);
    if (index2 < index1 + 1) cfg.fail(`index decreased from ${index1} to ${index2}`);
  }
  cfg.end();
}

async function snapshotInit(env: LabEnv): Promise<void> {
  const servers = 3;
  const cfg = make(env, servers, false, true);
  cfg.begin();
  await cfg.one(cfg.rand.safeInt(), servers, true);
  // enough ops to make a snapshot
  for (let i = 0; i < SNAPSHOT_INTERVAL + 1; i++) await cfg.one(cfg.rand.safeInt(), servers, true);
  for (let i = 0; i < servers; i++) cfg.crash1(i);
  for (let i = 0; i < servers; i++) {
    cfg.start1(i);
    cfg.connect(i);
  }
  // a single op, to get something to be written back to persistent storage.
  await cfg.one(cfg.rand.safeInt(), servers, true);
  for (let i = 0; i < servers; i++) cfg.crash1(i);
  for (let i = 0; i < servers; i++) {
    cfg.start1(i);
    cfg.connect(i);
  }
  // do another op to trigger potential bug
  await cfg.one(cfg.rand.safeInt(), servers, true);
  cfg.end();
}

export const scenarios: readonly Scenario[] = [
  { name: 'TestInitialElection3A', part: '3A', run: initialElection },
  { name: 'TestReElection3A', part: '3A', run: reElection },
  { name: 'TestManyElections3A', part: '3A', run: manyElections },
  { name: 'TestBasicAgree3B', part: '3B', run: basicAgree },
  { name: 'TestRPCBytes3B', part: '3B', run: rpcBytes },
  { name: 'TestFollowerFailure3B', part: '3B', run: followerFailure },
  { name: 'TestLeaderFailure3B', part: '3B', run: leaderFailure },
  { name: 'TestFailAgree3B', part: '3B', run: failAgree },
  { name: 'TestFailNoAgree3B', part: '3B', run: failNoAgree },
  { name: 'TestConcurrentStarts3B', part: '3B', run: concurrentStarts },
  { name: 'TestRejoin3B', part: '3B', run: rejoin },
  { name: 'TestBackup3B', part: '3B', run: backup },
  { name: 'TestCount3B', part: '3B', run: count },
  { name: 'TestPersist13C', part: '3C', run: persist1 },
  { name: 'TestPersist23C', part: '3C', run: persist2 },
  { name: 'TestPersist33C', part: '3C', run: persist3 },
  { name: 'TestFigure83C', part: '3C', run: figure8 },
  { name: 'TestUnreliableAgree3C', part: '3C', run: unreliableAgree },
  { name: 'TestFigure8Unreliable3C', part: '3C', run: figure8Unreliable },
  { name: 'TestReliableChurn3C', part: '3C', run: (env) => internalChurn(env, false) },
  { name: 'TestUnreliableChurn3C', part: '3C', run: (env) => internalChurn(env, true) },
  { name: 'TestSnapshotBasic3D', part: '3D', run: (env) => snapcommon(env, false, true, false) },
  { name: 'TestSnapshotInstall3D', part: '3D', run: (env) => snapcommon(env, true, true, false) },
  { name: 'TestSnapshotInstallUnreliable3D', part: '3D', run: (env) => snapcommon(env, true, false, false) },
  { name: 'TestSnapshotInstallCrash3D', part: '3D', run: (env) => snapcommon(env, false, true, true) },
  { name: 'TestSnapshotInstallUnCrash3D', part: '3D', run: (env) => snapcommon(env, false, false, true) },
  { name: 'TestSnapshotAllCrash3D', part: '3D', run: snapshotAllCrash },
  { name: 'TestSnapshotInit3D', part: '3D', run: snapshotInit },
];
