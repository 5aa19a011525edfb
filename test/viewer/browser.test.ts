// End to end in Debian's chromium through playwright-core (no browser is downloaded): the viewer
// runs a live cluster until a leader is elected and an entry commits, loses its leader and elects
// another; it replays a checker counterexample to the violation; and the conformance scenario
// passes in a Web Worker. Screenshots go to test-output/. Skips only when chromium is absent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildViewer, serveDirectory, type Served } from '../../scripts/viewer-site.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'test-output');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const skip = existsSync(chromiumPath) ? false : `no chromium at ${chromiumPath}: install it with apt-get install -y chromium (.ci/run does)`;

let served: Served;
/** The checker's run for Z23's counterexample (two leaders of one term), started at once so it overlaps the browser's start. */
let checkerRun: Promise<{ status: number | null; stdout: string; stderr: string }>;
const trace = join(out, 'z2-trace.json');
let context: BrowserContext;
let userDataDir: string;
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

before(async () => {
  if (skip) return;
  mkdirSync(out, { recursive: true });
  checkerRun = new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'src/checker/cli.ts', '--mutant', 'Z23', '--workers', '1', '--json', trace], { cwd: root, encoding: 'utf8' },
      (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }));
  });
  const site = join(out, 'viewer-site');
  await buildViewer(site);
  served = await serveDirectory(site);
  userDataDir = mkdtempSync(join(out, 'chromium-profile-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  // Offline by construction: anything not served by our own server is refused and remembered.
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith(served.url)) return route.continue();
    foreignRequests.push(route.request().url());
    return route.abort();
  });
});

after(async () => {
  if (skip) return;
  await context?.close();
  await served?.close();
  rmSync(userDataDir, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`${path}: ${m.text()}`); });
  await page.goto(served.url + path);
  return page;
}

const upLeader = '#ring g.node[data-role="leader"][data-up="true"]';

test('the live cluster elects a leader, commits an entry, and elects a new leader after the old one crashes', { skip, timeout: 60_000 }, async () => {
  const page = await open('?seed=3');
  await page.selectOption('#speed', '3');
  await page.waitForSelector(upLeader, { timeout: 20_000 });
  await page.click('#propose');
  await page.waitForFunction(`(() => {
    const up = [...document.querySelectorAll('#ring g.node[data-up="true"]')];
    return up.length > 0 && up.every((g) => Number(g.dataset.commit) >= 1);
  })()`, undefined, { timeout: 20_000 });
  await page.screenshot({ path: join(out, 'viewer-live-committed.png'), fullPage: true });

  const leaderId = await page.getAttribute(upLeader, 'id');
  const oldTerm = Number(await page.getAttribute(upLeader, 'data-term'));
  assert.ok(leaderId);
  await page.click(`#${leaderId} circle.body`);
  await page.click('#crash');
  await page.waitForSelector(`#${leaderId}[data-up="false"]`);
  await page.waitForSelector(`${upLeader}:not(#${leaderId})`, { timeout: 20_000 });
  const newLeader = (await page.getAttribute(upLeader, 'id'))!;
  assert.notEqual(newLeader, leaderId);
  assert.ok(Number(await page.getAttribute(upLeader, 'data-term')) > oldTerm);
  // The statechart marks the new leader in its leader state.
  const inLeaderState = await page.getAttribute('#diagram #state-leader', 'data-nodes');
  assert.ok(inLeaderState?.split(',').includes(newLeader.replace('node-', '')), `leader state holds ${inLeaderState}`);
  await page.screenshot({ path: join(out, 'viewer-live-new-leader.png'), fullPage: true });
  await page.close();
});

test('the live controls pause, step, drop a message, cut a node off and switch to 3 nodes', { skip, timeout: 60_000 }, async () => {
  const page = await open('?seed=5');
  await page.click('#run');
  assert.equal(await page.textContent('#run'), 'Run');
  const paused = await page.textContent('#caption');
  await page.waitForTimeout(300);
  assert.equal(await page.textContent('#caption'), paused, 'the clock moved while paused');
  while ((await page.locator('#ring circle.message').count()) === 0) await page.click('#step');
  assert.notEqual(await page.textContent('#caption'), paused, 'step did not advance the clock');
  const inFlight = await page.locator('#ring circle.message').count();
  await page.click('#drop');
  assert.equal(await page.locator('#ring circle.message').count(), inFlight - 1);
  assert.match((await page.textContent('#events li'))!, /network drops/);
  await page.click('#node-1 circle.body');
  await page.click('#isolate');
  assert.equal(await page.locator('#ring line.link.cut').count(), 4, 'node 1 of 5 has four links to cut');
  await page.click('#heal');
  assert.equal(await page.locator('#ring line.link.cut').count(), 0);
  // Two groups of 2 and 3: the 2 × 3 links between them are cut.
  await page.fill('#groups', '1 2 | 3 4 5');
  await page.click('#partition');
  assert.equal(await page.locator('#ring line.link.cut').count(), 6);
  assert.match((await page.textContent('#events li'))!, /partitioned: \{1 2\} \{3 4 5\}/);
  await page.fill('#groups', '1 | 9');
  await page.click('#partition');
  assert.match((await page.textContent('#partition-error'))!, /nodes are 1 to 5/);
  await page.click('#heal');
  assert.equal(await page.locator('#ring line.link.cut').count(), 0);
  // Nothing applied yet: the snapshot button says so rather than compacting.
  await page.click('#snapshot');
  assert.match((await page.textContent('#events li'))!, /node 1 has applied nothing since its last snapshot/);
  await page.selectOption('#size', '3');
  await page.click('#reset');
  assert.equal(await page.locator('#ring g.node').count(), 3);
  await page.close();
});

test('a checker counterexample loads and steps forwards and backwards to the violated property', { skip, timeout: 60_000 }, async () => {
  const check = await checkerRun;
  assert.equal(check.status, 1, `the checker should find Z23's violation:\n${check.stdout}\n${check.stderr}`);
  const violated = /^(\w+) violated/m.exec(check.stdout)?.[1];
  assert.ok(violated, check.stdout);

  const page = await open('');
  await page.click('#mode-trace');
  await page.setInputFiles('#trace-file', trace);
  await page.waitForSelector('#ring g.node');
  assert.match((await page.textContent('#caption'))!, /step 0 of \d+/);
  assert.equal(await page.locator('#diagram .taken').count(), 0, 'the initial state took no transition');
  await page.click('#forward');
  // Step 1 is an election timeout: the edge follower -> candidate, its line "ElectionTimeout / startElection".
  assert.equal(await page.textContent('#diagram g.edge.taken text.taken'), 'ElectionTimeout / startElection');
  assert.equal(await page.textContent('#diagram g.edge.taken title'), 'follower->candidate');
  assert.equal(await page.textContent('#step-rules a.rule'), 'C.1');
  await page.click('#back');
  const steps = Number(/of (\d+)/.exec((await page.textContent('#caption'))!)![1]);
  for (let k = 1; k <= steps; k++) {
    assert.equal(await page.isVisible('#violation'), false, `violation shown early, at step ${k - 1}`);
    await page.click('#forward');
  }
  assert.match((await page.textContent('#violation'))!, new RegExp(`Violated: ${violated}`));
  // The last step's transition is highlighted in the statechart, and each step links to its rules.
  assert.ok(await page.locator('#diagram text.taken').count() >= 1, 'no transition highlighted');
  const links = page.locator('#events li a.rule');
  assert.ok(await links.count() >= steps / 2, `only ${await links.count()} rule links for ${steps} steps`);
  const first = page.locator('#events li').last();
  assert.match((await first.textContent())!, /^1\. node \d election timeout/);
  assert.equal(await first.locator('a.rule').first().textContent(), 'C.1');
  await first.locator('a.rule').first().click();
  assert.match((await page.textContent('#rules dt:target + dd'))!, /on conversion: increment currentTerm/);
  assert.match((await page.textContent('#caption'))!, new RegExp(`step ${steps} of ${steps}`));
  // ElectionSafety: two nodes lead the same term at the end of Z23's trace.
  assert.equal(await page.locator('#ring g.node[data-role="leader"]').count(), 2);
  await page.screenshot({ path: join(out, 'viewer-trace-violation.png'), fullPage: true });
  await page.click('#back');
  assert.equal(await page.isVisible('#violation'), false);
  assert.match((await page.textContent('#caption'))!, new RegExp(`step ${steps - 1} of ${steps}`));
  await page.close();
});

test('the conformance scenario passes in a Web Worker', { skip, timeout: 60_000 }, async () => {
  const page = await open('worker/');
  await page.waitForSelector('#verdict[data-passed="true"], #verdict[data-passed="false"]', { timeout: 20_000 });
  const verdict = (await page.textContent('#verdict'))!;
  await page.screenshot({ path: join(out, 'worker-conformance.png'), fullPage: true });
  assert.match(verdict, /conformance in a Web Worker: PASS/);
  await page.close();
});

test('the pages raised no error and fetched nothing from elsewhere', { skip }, () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(foreignRequests, []);
});
