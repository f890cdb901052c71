import { runValidateCli } from '@baton/workflow';

// `baton validate <file-or-folder>...`: checks workflow definitions the way the engine loads them.
process.exitCode = runValidateCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
