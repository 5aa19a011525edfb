// The command line of every script, bench and example `npm run` starts: node:util's parseArgs in
// strict mode, so that `--help` prints the usage and exits 0 before anything runs (nothing written,
// no process started), and a flag the command does not know, or a malformed one, is refused in one
// line with exit code 2 instead of being ignored or crashing with a stack trace. Also: the end of a
// command that started child processes, so that SIGINT and SIGTERM leave none of them behind.
import { relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type HelpOption = { help: { type: 'boolean'; short: 'h' } };

/** The name the one-line error goes under: the script's path from the working directory. */
const commandName = (): string => relative(process.cwd(), process.argv[1] ?? 'command') || 'command';

/** Refuses the command line in one line on stderr, exit code 2. */
export function refuse(message: string): never {
  process.stderr.write(`${commandName()}: ${message} (see --help)\n`);
  process.exit(2);
}

/**
 * The flags given, checked against `options`; with --help (or -h) prints `usage` and exits 0. No
 * positional arguments: a stray word is refused like an unknown flag.
 */
export function commandLine<const O extends Options>(usage: string, options: O) {
  const config = { options: { ...options, help: { type: 'boolean', short: 'h' } } as O & HelpOption, strict: true, allowPositionals: false } as const;
  let values: ReturnType<typeof parseArgs<typeof config>>['values'];
  try {
    ({ values } = parseArgs(config));
  } catch (err) {
    refuse((err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
  }
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    process.exit(0);
  }
  return values;
}

/** `raw` as a whole number in min..max, or the command line is refused; `fallback` when it was not given. */
export function wholeNumber(name: string, raw: string | undefined, range: { min: number; max?: number; fallback?: number }): number {
  const { min, max = Number.MAX_SAFE_INTEGER, fallback } = range;
  if (raw === undefined && fallback !== undefined) return fallback;
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    refuse(`--${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`}, got "${raw ?? ''}"`);
  }
  return Number(raw);
}

/**
 * On SIGINT or SIGTERM, runs `stop` (which ends the command's child processes) and exits as the
 * signal would have: 130 or 143. Without it Node exits at once and the children live on.
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const leave = (signal: 'SIGINT' | 'SIGTERM') => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', () => leave('SIGINT'));
  process.on('SIGTERM', () => leave('SIGTERM'));
}
