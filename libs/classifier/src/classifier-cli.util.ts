import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBanking77 } from './banking77.util';
import { BANKING77_TEAMS } from './banking77-teams.util';
import { type Assessment, assessModel, trainCalibratedClassifier } from './calibrated-training.util';
import { ClassifierError } from './classifier.exception';
import type { LabelledText } from './classifier.types';
import { groupPrediction } from './grouped-prediction.util';
import { recordedParts } from './stratified-split.util';
import { TextClassifier } from './text-classifier.util';

export const CLASSIFIER_USAGE = [
  'usage: baton classifier train --data <dir> --out <model.json> [--seed <n>]',
  '       baton classifier evaluate --data <dir> --model <model.json> [--target <precision>]',
  '  <dir> holds train.csv (columns text,category) and categories.json, as in Banking77.',
].join('\n');

/** What `baton classifier <command> --help` prints. */
const COMMAND_USAGE: Record<string, string> = {
  train: [
    'usage: baton classifier train --data <dir> --out <model.json> [--seed <n>]',
    '  Trains a calibrated classifier on a labelled history (a seeded 70/10/20 split, recorded in',
    '  the model), calibrates its thresholds and scores it on the held-out rows, then writes it.',
    '  --data <dir>        train.csv (columns text,category) and categories.json, as in Banking77',
    '  --out <model.json>  where to write the model',
    '  --seed <n>          seed of the split and the training (default 1)',
    '  Shows its progress on a terminal.',
  ].join('\n'),
  evaluate: [
    'usage: baton classifier evaluate --data <dir> --model <model.json> [--target <precision>]',
    '  Scores a written model on the held-out rows it recorded, with the threshold table.',
    '  --data <dir>          the data the model was trained on',
    '  --model <model.json>  the model to evaluate',
    '  --target <precision>  precision the automatic tier must reach, between 0 and 1 (default 0.99)',
  ].join('\n'),
};

const HELP = new Set(['--help', '-h', 'help']);

/** Where a long command shows how far it has come (a terminal's progress line). */
export interface CliProgress {
  update(fraction: number, detail?: string): void;
  done(): void;
}

/** Exit codes of the classifier commands. */
export enum ClassifierExitCode {
  Ok = 0,
  Failed = 1,
  Usage = 2,
}

const OPTIONS: Record<string, readonly string[]> = {
  train: ['data', 'out', 'seed'],
  evaluate: ['data', 'model', 'target'],
};

/**
 * `train` fits a calibrated model on a labelled dataset (split 70/10/20 by a seeded stratified
 * split, recorded in the model) and writes it as JSON; `evaluate` re-scores a written model on the
 * held-out rows it recorded, calibrating the automatic threshold on its calibration rows for the
 * target precision, and prints accuracy, log loss, ECE, the automatic tier and the threshold table.
 * @param argv the arguments after the command name, e.g. `['train', '--data', dir, '--out', file]`.
 * @param out receives one line at a time, without a newline.
 * @returns 0 on success, 1 when the data or model is unusable, 2 on a usage error.
 */
export async function runClassifierCli(argv: readonly string[], out: (line: string) => void, progress?: CliProgress): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && HELP.has(command)) {
    const about = rest[0] !== undefined ? COMMAND_USAGE[rest[0]] : undefined;
    (about ?? CLASSIFIER_USAGE).split('\n').forEach((line) => out(line));
    return ClassifierExitCode.Ok;
  }
  if (command !== undefined && command in OPTIONS && rest.some((arg) => arg === '--help' || arg === '-h')) {
    COMMAND_USAGE[command]!.split('\n').forEach((line) => out(line));
    return ClassifierExitCode.Ok;
  }
  const parsed = command !== undefined && command in OPTIONS ? parseOptions(rest, OPTIONS[command]) : `unknown command '${command ?? ''}'`;
  if (typeof parsed === 'string') {
    out(parsed);
    CLASSIFIER_USAGE.split('\n').forEach((line) => out(line));
    return ClassifierExitCode.Usage;
  }
  try {
    return command === 'train' ? await train(parsed, out, progress) : await evaluateCommand(parsed, out);
  } catch (error) {
    if (error instanceof ClassifierError) {
      out(`error: ${error.message}`);
      return ClassifierExitCode.Failed;
    }
    throw error;
  }
}

type Options = Record<string, string>;

function parseOptions(args: readonly string[], allowed: readonly string[]): Options | string {
  const options: Options = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    if (!name || !allowed.includes(name)) return `unknown option '${args[i]}'`;
    if (args[i + 1] === undefined || args[i + 1].startsWith('--')) return `option --${name} needs a value`;
    options[name] = args[i + 1];
  }
  const required = allowed.filter((name) => !['seed', 'target'].includes(name));
  const missing = required.find((name) => options[name] === undefined);
  if (missing) return `missing --${missing}`;
  if (options.seed !== undefined && !/^\d+$/.test(options.seed)) return '--seed must be a non-negative integer';
  if (options.target !== undefined && !(Number(options.target) > 0 && Number(options.target) < 1))
    return '--target must be a number between 0 and 1';
  return options;
}

async function train(options: Options, out: (line: string) => void, progress?: CliProgress): Promise<number> {
  const { examples } = await loadBanking77(options.data);
  const seed = options.seed === undefined ? 1 : Number(options.seed);
  const started = performance.now();
  let result: ReturnType<typeof trainCalibratedClassifier>;
  try {
    result = trainCalibratedClassifier(
      examples,
      { seed, targetPrecision: 0.99 },
      progress && ((fraction) => progress.update(fraction, `${examples.length} examples`)),
    );
  } finally {
    progress?.done();
  }
  const { model } = result;
  const seconds = (performance.now() - started) / 1000;
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, JSON.stringify(model));
  const { size } = await stat(options.out);
  const calibration = model.metadata.calibration;
  out(`model ${model.id}`);
  out(
    `trained on ${model.metadata.examples} of ${examples.length} examples ` +
      `(${model.labels.length} labels, ${model.featureCount} features, seed ${seed}) ` +
      `in ${fixed(model.metadata.training.seconds, 1)} s; with calibration and scoring ${fixed(seconds, 1)} s`,
  );
  if (calibration) {
    out(
      `temperature ${fixed(calibration.temperature, 3)} on ${calibration.examples} calibration examples: NLL ` +
        `${fixed(calibration.nllBefore, 4)} -> ${fixed(calibration.nllAfter, 4)}, ECE ${fixed(calibration.eceBefore, 4)} -> ` +
        `${fixed(calibration.eceAfter, 4)}`,
    );
  }
  printAssessment(
    result,
    result.split.heldOut.map((i) => examples[i]),
    model,
    out,
  );
  out(`wrote ${options.out} (${fixed(size / 1e6, 1)} MB)`);
  return ClassifierExitCode.Ok;
}

async function evaluateCommand(options: Options, out: (line: string) => void): Promise<number> {
  const { examples } = await loadBanking77(options.data);
  let text: string;
  try {
    text = await readFile(options.model, 'utf8');
  } catch (error) {
    out(`error: cannot read ${options.model}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return ClassifierExitCode.Failed;
  }
  const model = TextClassifier.fromJSON(text);
  const split = model.metadata.split;
  if (!split) {
    out('error: the model records no data split, so its held-out rows are unknown; train it with `train`');
    return ClassifierExitCode.Failed;
  }
  const { calibration, heldOut } = recordedParts(examples, split);
  const target = options.target === undefined ? 0.99 : Number(options.target);
  out(
    `model ${model.id} (${model.labels.length} labels, trained ${model.metadata.createdAt} on ${model.metadata.examples} ` +
      `examples, temperature ${fixed(model.temperature, 3)})`,
  );
  printAssessment(assessModel(model, calibration, heldOut, { targetPrecision: target }), heldOut, model, out);
  return ClassifierExitCode.Ok;
}

function printAssessment(
  assessment: Assessment,
  heldOutExamples: readonly LabelledText[],
  model: TextClassifier,
  out: (line: string) => void,
): void {
  const { thresholds, heldOut, heldOutReport, heldOutEceBeforeTemperature } = assessment;
  out(
    `held-out (${heldOut.examples} examples): accuracy ${fixed(heldOut.accuracy, 4)}, log loss ${fixed(heldOut.logLoss, 4)}, ECE ` +
      `${fixed(heldOut.ece, 4)} (${fixed(heldOutEceBeforeTemperature, 4)} before temperature scaling)`,
  );
  out(
    `thresholds for precision ${thresholds.targetPrecision} (Wilson lower bound on ${thresholds.examples} calibration examples): ` +
      `auto ${fixed(thresholds.auto, 4)}, suggest ${fixed(thresholds.suggest, 4)}`,
  );
  const tier = heldOut.automatic;
  if (tier) {
    out(
      `automatic tier on held-out: precision ${tier.precision === null ? 'n/a' : fixed(tier.precision, 4)}, coverage ` +
        `${fixed(tier.coverage, 4)} (${tier.decided} of ${heldOut.examples}, ${tier.decided - tier.correct} wrong)`,
    );
  }
  // Team routing is what the Banking77 sample acts on; only meaningful when every label has a team.
  if (model.labels.every((label) => BANKING77_TEAMS[label] !== undefined)) {
    const right = heldOutExamples.filter(
      (e) => groupPrediction(model.predict(e.text), BANKING77_TEAMS).label === BANKING77_TEAMS[e.label],
    ).length;
    out(`team routing on held-out: accuracy ${fixed(right / heldOutExamples.length, 4)}`);
  }
  out('what each threshold would automate (calibration split | held-out split):');
  out(
    `${pad('threshold', 10)}${pad('automated', 10)}${pad('precision', 10)}${pad('lower', 8)}${pad('coverage', 9)}${pad('err/1000', 9)}` +
      `| ${pad('precision', 10)}${pad('coverage', 9)}err/1000`,
  );
  thresholds.report.forEach((row, i) => {
    const held = heldOutReport[i];
    const marks = [row.threshold === thresholds.auto ? 'auto' : '', row.threshold === thresholds.suggest ? 'suggest' : '']
      .filter(Boolean)
      .join(',');
    out(
      (
        `${pad(fixed(row.threshold, 4), 10)}${pad(String(row.automated), 10)}${pad(ratio(row.precision), 10)}` +
        `${pad(ratio(row.precisionLowerBound), 8)}${pad(fixed(row.coverage, 3), 9)}${pad(fixed(row.expectedErrorsPer1000, 1), 9)}` +
        `| ${pad(ratio(held.precision), 10)}${pad(fixed(held.coverage, 3), 9)}${pad(fixed(held.expectedErrorsPer1000, 1), 9)}${marks}`
      ).trimEnd(),
    );
  });
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function ratio(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}
