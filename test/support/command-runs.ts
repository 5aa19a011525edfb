// Runs command entry modules one after another in this one process, each with its own argv, and
// prints what each did as JSON: exit code, stdout, stderr, and the handles it left open (a child
// process, a server, a socket: anything started). One tsx start-up for every command instead of one
// each. process.exit is made to throw, so a command stops where it would have exited.
//   node --import tsx test/support/command-runs.ts '[{"file":"scripts/size.ts","args":["--help"]}]'
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CommandRun { readonly file: string; readonly args: readonly string[] }
export interface CommandOutcome extends CommandRun {
  readonly code: number | 'crashed';
  readonly stdout: string;
  readonly stderr: string;
  /** Kinds of handle open after the command that were not open before it. */
  readonly started: readonly string[];
}

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

// In Node since 17.3; @types/node 20 does not declare it.
const activeResources = (): string[] => (process as NodeJS.Process & { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
const counts = (kinds: readonly string[]) => kinds.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());

const runs = JSON.parse(process.argv[2] ?? '[]') as CommandRun[];
const outcomes: CommandOutcome[] = [];
const realExit = process.exit.bind(process);
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
const argv = process.argv;
for (const [i, run] of runs.entries()) {
  let stdout = '';
  let stderr = '';
  const before = counts(activeResources());
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
  process.exit = ((code?: number) => { throw new Exited(code ?? 0); }) as typeof process.exit;
  process.exitCode = undefined;
  process.argv = [argv[0]!, resolve(run.file), ...run.args];
  let code: number | 'crashed';
  try {
    await import(`${pathToFileURL(resolve(run.file)).href}?run=${i}`);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof Exited) code = err.code;
    else {
      code = 'crashed';
      stderr += `${(err as Error).stack ?? String(err)}\n`;
    }
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    process.exit = realExit;
    process.argv = argv;
  }
  const after = counts(activeResources());
  const started = [...after].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k]) => k);
  outcomes.push({ ...run, code, stdout, stderr, started });
}
process.exitCode = 0;
realOut(`${JSON.stringify(outcomes)}\n`, () => realExit(0));
