// The `raft` command: subcommands, help, and one clear line for every error.
import { DirectoryInUseError } from '../runtime/directory-lock.ts';
import { StorageCorruptError, StorageError } from '../runtime/file-storage.ts';
import { TransportError } from '../runtime/udp-transport.ts';
import { runCluster } from './cluster-command.ts';
import { runNode } from './node-command.ts';
import { UsageError } from './usage-error.ts';

const help = `Usage: raft <command> [options]

Commands:
  node      run one Raft node in the foreground (UDP, durable storage)
  cluster   run a local cluster on loopback and watch it
  check     model-check Raft's safety properties on a small cluster of the same machines

Run 'raft <command> --help' for a command's options.
`;

const [command, ...args] = process.argv.slice(2);
try {
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') process.stdout.write(help);
  else if (command === 'node') await runNode(args);
  else if (command === 'cluster') await runCluster(args);
  else if (command === 'check') {
    // The checker's command line reads its flags from process.argv, as `npm run check` gives them.
    process.argv.splice(2, 1);
    await import('../checker/cli.ts');
  }
  else throw new UsageError(`unknown command "${command}"`);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`raft: ${err.message} (try 'raft ${command === 'node' || command === 'cluster' ? `${command} ` : ''}--help')\n`);
    process.exit(2);
  }
  if (err instanceof TransportError || err instanceof StorageError || err instanceof StorageCorruptError || err instanceof DirectoryInUseError) {
    process.stderr.write(`raft: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
