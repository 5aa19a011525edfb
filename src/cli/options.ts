// Flag parsing shared by the subcommands: node:util's parseArgs in strict mode, with its errors
// and every bad value turned into a UsageError that says which flag is wrong and why.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LogLevel } from '../runtime/logger.ts';
import { MIN_KEY_BYTES } from '../runtime/udp-transport.ts';
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

/** How a node authenticates its datagrams, as UdpTransport takes it. */
export type Authentication =
  | { readonly key: Uint8Array; readonly acceptedKeys: readonly Uint8Array[]; readonly warnings: readonly string[] }
  | { readonly insecureNoAuth: true; readonly warnings: readonly string[] };

export interface AuthenticationFlags {
  readonly keyFile: string | undefined;
  readonly acceptKeyFile: string | undefined;
  readonly insecureNoAuth: boolean;
  /** The address this node binds: insecure mode is refused unless it is a loopback one. */
  readonly host: string;
}

/**
 * The key from --key-file, else $RAFT_KEY; --accept-key-file adds a key accepted but never sent
 * with. No key is a usage error unless --insecure-no-auth says so, and that is refused off
 * loopback, where anyone on the network could then move the cluster with one datagram.
 */
export function authenticationFlags(flags: AuthenticationFlags): Authentication {
  const warnings: string[] = [];
  const key = flags.keyFile !== undefined ? keyFromFile('key-file', flags.keyFile, warnings) : keyFromEnvironment();
  if (flags.insecureNoAuth) {
    if (key !== undefined || flags.acceptKeyFile !== undefined) {
      throw new UsageError(`--insecure-no-auth with a key (${flags.keyFile !== undefined ? '--key-file' : flags.acceptKeyFile !== undefined ? '--accept-key-file' : 'RAFT_KEY'}): choose one`);
    }
    if (!isLoopback(flags.host)) {
      throw new UsageError(`--insecure-no-auth is refused on ${flags.host}, which is not a loopback address: give the cluster a key with --key-file`);
    }
    warnings.push('AUTHENTICATION IS OFF (--insecure-no-auth): any local process can forge messages that move this cluster; give it a key with --key-file');
    return { insecureNoAuth: true, warnings };
  }
  if (key === undefined) {
    throw new UsageError('no key: give the cluster key with --key-file PATH or RAFT_KEY (or, on loopback only, run without one with --insecure-no-auth)');
  }
  const acceptedKeys = flags.acceptKeyFile === undefined ? [] : [keyFromFile('accept-key-file', flags.acceptKeyFile, warnings)];
  return { key, acceptedKeys, warnings };
}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address), and the name localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function keyFromFile(flag: string, path: string, warnings: string[]): Uint8Array {
  let key: Uint8Array;
  let mode: number;
  try {
    key = new Uint8Array(readFileSync(path));
    mode = statSync(path).mode;
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (key.length < MIN_KEY_BYTES) throw new UsageError(`--${flag}: ${path} holds ${key.length} bytes; use at least ${MIN_KEY_BYTES}`);
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    warnings.push(`--${flag}: ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  return key;
}

function keyFromEnvironment(): Uint8Array | undefined {
  const env = process.env['RAFT_KEY'];
  if (env === undefined || env === '') return undefined;
  if (env.length < MIN_KEY_BYTES) throw new UsageError(`RAFT_KEY must be at least ${MIN_KEY_BYTES} characters`);
  return new TextEncoder().encode(env);
}
