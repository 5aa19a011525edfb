// A command line the program cannot run: reported in one sentence with a pointer to --help.
export class UsageError extends Error {
  override name = 'UsageError';
}
