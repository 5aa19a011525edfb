// Runs before npm start and npm test: on a fresh clone (no node_modules, or one older than the
// lockfile) it installs exactly what package-lock.json says, so the README's two commands are
// all a newcomer types. Plain JavaScript: it runs before anything is installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('raft-ts: installing dependencies (npm ci) ...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
