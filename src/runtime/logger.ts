// Where the runtime's diagnostics go. A function per level keeps call sites short; a host picks
// the threshold (the CLI shows info and above, tests show nothing).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type Logger = Record<LogLevel, (message: string) => void>;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Lines on stderr, `level message`, for levels at or above `threshold`. */
export function stderrLogger(threshold: LogLevel, prefix = ''): Logger {
  const min = LEVELS.indexOf(threshold);
  const entry = (level: LogLevel) => (message: string) => {
    if (LEVELS.indexOf(level) >= min) process.stderr.write(`${prefix}${level} ${message}\n`);
  };
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') };
}

const ignore = () => {};
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
