// Where the runtime's diagnostics go. A function per level keeps call sites short; a host picks
// the threshold (the CLI shows info and above, tests show nothing).

/** Severity of a diagnostic, lowest first; a logger drops lines below its threshold. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the runtime writes its diagnostics: one function per {@link LogLevel}, each taking a one-line message. */
export type Logger = Record<LogLevel, (message: string) => void>;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * JSON lines on stderr, `{"time","level",...fields,"msg"}`, for levels at or above `threshold`:
 * one object per line, so a log collector reads them without a grammar. `fields` (the node's id,
 * say) go into every line.
 */
export function stderrLogger(threshold: LogLevel, fields: Readonly<Record<string, string | number>> = {}): Logger {
  const min = LEVELS.indexOf(threshold);
  // The constant part is serialised once; only the time and the message vary per line.
  const context = JSON.stringify(fields).slice(1, -1);
  const entry = (level: LogLevel) => {
    if (LEVELS.indexOf(level) < min) return ignore;
    const prefix = `","level":"${level}"${context === '' ? '' : `,${context}`},"msg":`;
    return (message: string) => process.stderr.write(`{"time":"${new Date().toISOString()}${prefix}${JSON.stringify(message)}}\n`);
  };
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') };
}

const ignore = () => {};
/** Drops every line: the default for an embedded node, and what tests use. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A line of stderrLogger's for a person: `node 1: warn message` from its JSON; any other line as it is. */
export function humanLogLine(line: string): string {
  try {
    const e = JSON.parse(line) as { level?: unknown; msg?: unknown; node?: unknown };
    if (typeof e.level === 'string' && typeof e.msg === 'string') return `${e.node === undefined ? '' : `node ${String(e.node)}: `}${e.level} ${e.msg}`;
  } catch {
    // not one of ours
  }
  return line;
}
