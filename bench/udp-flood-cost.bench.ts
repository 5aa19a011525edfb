// What a flood from a stranger costs the flooded node itself: one UdpTransport in this process,
// another process flooding its port with malformed datagrams, and the CPU this process spends per
// second of flood. Another checkout's sources can be measured the same way (an argument: the
// directory holding its src/ and test/support/), e.g. an older commit unpacked with git archive.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const MEASURE_MS = 3000;
const { UdpTransport } = await import(`${root}/src/runtime/udp-transport.ts`) as typeof import('../src/runtime/udp-transport.ts');
const { nodeId } = await import(`${root}/src/machine/index.ts`) as typeof import('../src/machine/index.ts');
const { freePorts } = await import(`${root}/test/support/local-cluster.ts`) as typeof import('../test/support/local-cluster.ts');

const ports = await freePorts(3);
const addresses = new Map([1, 2, 3].map((id, i) => [nodeId(id), { host: '127.0.0.1', port: ports[i]! }]));
const transport = await UdpTransport.open({ self: nodeId(1), addresses, clusterId: 77 });
transport.onMessage(() => {});
const flooder = `import(${JSON.stringify(`${root}/test/support/flood.ts`)}).then(({ startFlood }) => {
  const flood = startFlood({ host: '127.0.0.1', port: ${ports[0]} }, 77);
  process.stdin.once('data', async () => { console.log(await flood.stop()); process.exit(0); });
});`;
const child = spawn(process.execPath, ['--import', 'tsx', '-e', flooder], { stdio: ['pipe', 'pipe', 'inherit'] });
await new Promise((done) => setTimeout(done, 1000));
const cpu = process.cpuUsage();
const t0 = performance.now();
const read0 = transport.stats.fromStrangers;
await new Promise((done) => setTimeout(done, MEASURE_MS));
const used = process.cpuUsage(cpu);
const seconds = (performance.now() - t0) / 1000;
const read = transport.stats.fromStrangers - read0;
child.stdin.write('stop');
const sent = await new Promise<string>((done) => child.stdout.once('data', (d: Buffer) => done(String(d).trim())));
transport.close();
console.log(`${root}: ${(((used.user + used.system) / 1000) / seconds).toFixed(0)} ms of CPU per second of flood, `
  + `${Math.round(read / seconds)} stranger datagrams read per second; the flooder sent ${sent} in all`);
