// How `raft node` reads commands from stdin and prints them back. Text mode (the default) takes one
// UTF-8 line as one command, so a command cannot hold a newline and bytes that are not UTF-8 are
// replaced; `--input base64` takes each line as the base64 of a command's bytes, which then reach
// the log and the peers unchanged.
import { jsonCommands, type CommandCodec } from '../machine/index.ts';
import { commandOfLine } from './node-events.ts';
import { UsageError } from './usage-error.ts';

export type InputMode = 'text' | 'base64';

export function inputModeFlag(text: string | undefined): InputMode {
  const mode = text ?? 'text';
  if (mode !== 'text' && mode !== 'base64') throw new UsageError(`--input must be text or base64, got "${mode}"`);
  return mode;
}

/**
 * Byte commands as a 0 byte and the bytes, everything else as JSON. No JSON text starts with a 0
 * byte, so logs and datagrams written before byte commands existed read back unchanged.
 */
export const cliCommands: CommandCodec = {
  encode: (command) => {
    if (!(command instanceof Uint8Array)) return jsonCommands.encode(command);
    const bytes = new Uint8Array(command.length + 1);
    bytes.set(command, 1);
    return bytes;
  },
  decode: (bytes) => (bytes[0] === 0 ? bytes.slice(1) : jsonCommands.decode(bytes)),
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A stdin line as a command, or why it is not one. */
export function commandOfInput(line: string, mode: InputMode): { command: unknown } | { invalid: string } {
  if (mode === 'text') return { command: commandOfLine(line) };
  const text = line.trim();
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder skips what it cannot read; only text that re-encodes to itself is taken, so one
  // command has exactly one spelling.
  if (!BASE64.test(text) || bytes.toString('base64') !== text) return { invalid: 'not canonical base64 (RFC 4648, with padding)' };
  return { command: new Uint8Array(bytes) };
}

/**
 * An applied command as `--print-applied` shows it. In base64 mode: the base64 of its bytes (of its
 * JSON if a text-mode node proposed it); in text mode a byte command shows as { base64 }.
 */
export function shownCommand(command: unknown, mode: InputMode): unknown {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  if (mode === 'base64') return base64(command instanceof Uint8Array ? command : jsonCommands.encode(command));
  return command instanceof Uint8Array ? { base64: base64(command) } : command;
}
