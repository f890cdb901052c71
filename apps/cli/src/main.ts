import { runClassifierCli } from '@baton/classifier';
import { runValidateCli } from '@baton/workflow';

// The `baton` command:
//   baton validate <file-or-folder>...           checks workflow definitions as the engine loads them
//   baton classifier train|evaluate ...          trains and evaluates a classifier offline
const out = (line: string) => process.stdout.write(`${line}\n`);
const [command, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === 'classifier') return runClassifierCli(rest, out);
  if (command === 'validate') return runValidateCli(process.argv.slice(2), out);
  out('usage: baton validate <file-or-folder>...');
  out('       baton classifier train --data <dir> --out <model.json> [--seed <n>]');
  out('       baton classifier evaluate --data <dir> --model <model.json> [--target <precision>]');
  return 2;
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    process.stderr.write(`baton: ${error.message}\n`);
    process.exitCode = 1;
  },
);
