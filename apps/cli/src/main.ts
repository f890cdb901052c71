import { runClassifierCli } from '@baton/classifier';
import { ProgressLine } from '@baton/platform-observability';
import { runValidateCli } from '@baton/workflow';

// The `baton` command:
//   baton validate <file-or-folder>...           checks workflow definitions as the engine loads them
//   baton classifier train|evaluate ...          trains and evaluates a classifier offline
//   baton --help, baton <command> --help         what each does and takes
const USAGE = [
  'usage: baton <command> [options]',
  '',
  'commands:',
  '  validate <file-or-folder>...    check workflow definitions as the engine loads them',
  '  classifier train [options]      train a workflow classifier offline on a labelled history',
  '  classifier evaluate [options]   score a trained classifier on its held-out rows',
  '',
  '`baton <command> --help` shows what a command takes.',
];
const HELP = new Set(['--help', '-h', 'help']);

const out = (line: string) => process.stdout.write(`${line}\n`);
// `baton --help | head -1`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const [command, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === undefined) {
    USAGE.forEach((line) => process.stderr.write(`${line}\n`));
    return 2;
  }
  if (HELP.has(command)) {
    // `baton help validate` is `baton validate --help`.
    if (rest[0] === 'validate') return runValidateCli(['--help'], out);
    if (rest[0] === 'classifier') return runClassifierCli(['--help', ...rest.slice(1)], out);
    USAGE.forEach((line) => out(line));
    return 0;
  }
  if (command === 'classifier') return runClassifierCli(rest, out, ProgressLine.forTerminal('training'));
  if (command === 'validate') return runValidateCli(process.argv.slice(2), out);
  process.stderr.write(`baton: unknown command '${command}'\n`);
  USAGE.forEach((line) => process.stderr.write(`${line}\n`));
  return 2;
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    process.stderr.write(`baton: ${error.message}\n`);
    process.exitCode = 1;
  },
);
