// npm run from a test. Under `npm test` the environment carries the outer npm's settings for this
// checkout (npm_config_local_prefix, npm_package_*, the lifecycle event): a child npm would read
// them as its own and work on this checkout instead of the directory it was started in. Only the
// settings that say where the cache and the registry are pass through.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

const kept = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cafile']);

/** The environment for a child npm or node: no outer npm settings, no loader in NODE_OPTIONS. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') && !kept.has(lower)) continue;
    if (key === 'INIT_CWD' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

/** Runs npm in `cwd` and returns what it printed. */
export function npm(args: readonly string[], cwd: string, timeoutMs = 120_000): SpawnSyncReturns<string> {
  // Under c8 every process writes its V8 coverage; npm's own (and tsc's, in npm pack's build) is
  // megabytes that c8 would read only to throw away.
  const { NODE_V8_COVERAGE: _, ...env } = childEnv();
  return spawnSync('npm', args, { cwd, encoding: 'utf8', env, timeout: timeoutMs });
}
