// Flag parsing shared by the subcommands: node:util's parseArgs in strict mode, with its errors
// and every bad value turned into a UsageError that says which flag is wrong and why.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LogLevel } from '../runtime/logger.ts';
import { UsageError } from './usage-error.ts';

/** The flags parseArgs returns for `options` (named, so the compiled declarations can spell it). */
type Flags<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'];

export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O): Flags<O> {
  // parseArgs takes "-1" after a flag for another flag and calls the value ambiguous; joined as
  // --flag=-1 the value reaches the flag's own check, which says what range it wants.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const takesValue = arg.startsWith('--') && options[arg.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && /^-[\d.]/.test(next)) joined.push(`${arg}=${args[++i]}`);
    else joined.push(arg);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^.*?: /, '').split('\n')[0]!);
  }
}

export function integerFlag(name: string, text: string | undefined, min: number, max: number, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}, got "${text}"`);
  return n;
}

export function logLevelFlag(text: string | undefined): LogLevel {
  const level = text ?? 'info';
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') {
    throw new UsageError(`--log-level must be debug, info, warn or error, got "${level}"`);
  }
  return level;
}

/** The HMAC key: the contents of --key-file, else $RAFT_KEY, else none (datagrams only checksummed). */
export function sharedKey(keyFile: string | undefined): Uint8Array | undefined {
  if (keyFile !== undefined) {
    let key: Uint8Array;
    try {
      key = new Uint8Array(readFileSync(keyFile));
    } catch (err) {
      throw new UsageError(`--key-file: cannot read ${keyFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (key.length < 16) throw new UsageError(`--key-file: ${keyFile} holds ${key.length} bytes; use at least 16`);
    return key;
  }
  const env = process.env['RAFT_KEY'];
  if (env === undefined || env === '') return undefined;
  if (env.length < 16) throw new UsageError('RAFT_KEY must be at least 16 characters');
  return new TextEncoder().encode(env);
}
