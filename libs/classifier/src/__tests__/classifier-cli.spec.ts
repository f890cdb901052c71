import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifierExitCode, runClassifierCli, SeededRandom, TextClassifier } from '../index';

const VOCABULARY: Record<string, string[]> = {
  refund: ['refund', 'money back', 'reimburse', 'return my payment', 'charge back'],
  shipping: ['parcel', 'delivery', 'tracking', 'courier', 'shipment'],
  login: ['password', 'log in', 'locked out', 'two factor', 'sign in'],
};
const FILLERS = ['please help', 'asap', 'since monday', 'for my order', 'thanks', 'again', 'urgent'];

/** A small labelled dataset in the Banking77 layout, some texts quoted with commas and quotes. */
function writeDataset(dir: string, rowsPerLabel = 40): void {
  const random = new SeededRandom(9);
  const pickFrom = (items: string[]) => items[random.int(items.length)];
  const rows = ['text,category'];
  for (const [label, words] of Object.entries(VOCABULARY)) {
    for (let i = 0; i < rowsPerLabel; i++) {
      const text = `${pickFrom(FILLERS)} ${pickFrom(words)}, "${pickFrom(words)}" ${pickFrom(FILLERS)} ${i}`;
      rows.push(`"${text.replace(/"/g, '""')}",${label}`);
    }
  }
  writeFileSync(join(dir, 'train.csv'), rows.join('\n') + '\n');
  writeFileSync(join(dir, 'categories.json'), JSON.stringify(Object.keys(VOCABULARY)));
}

async function run(...argv: string[]) {
  const lines: string[] = [];
  const code = await runClassifierCli(argv, (line) => lines.push(line));
  return { code, lines, text: lines.join('\n') };
}

describe(runClassifierCli.name, () => {
  let dir: string;
  let data: string;
  let modelFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-classifier-cli-'));
    data = join(dir, 'data');
    modelFile = join(dir, 'models', 'model.json');
    mkdirSync(data);
    writeDataset(data);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains a model and writes it with its split recorded', async () => {
    const { code, text } = await run('train', '--data', data, '--out', modelFile, '--seed', '4');

    expect(code).toBe(ClassifierExitCode.Ok);
    expect(text).toMatch(/^model [0-9a-f]{64}$/m);
    expect(text).toMatch(/trained on 84 of 120 examples \(3 labels, \d+ features, seed 4\)/);
    expect(text).toMatch(/held-out \(24 examples\): accuracy \d\.\d{4}, log loss \d\.\d{4}, ECE \d\.\d{4}/);
    expect(text).toContain(`wrote ${modelFile}`);
    const model = TextClassifier.fromJSON(readFileSync(modelFile, 'utf8'));
    expect(model.metadata.split).toMatchObject({ seed: 4, dataset: { rows: 120 } });
    expect(model.metadata.split!.heldOut.rows).toHaveLength(24);
    expect(model.metadata.metrics!.heldOut.accuracy).toBeGreaterThan(0.9);
  });

  it('evaluates a written model on its own held-out rows, with the threshold table', async () => {
    const { code, lines, text } = await run('evaluate', '--data', data, '--model', modelFile, '--target', '0.9');

    expect(code).toBe(ClassifierExitCode.Ok);
    expect(text).toMatch(
      /held-out \(24 examples\): accuracy \d\.\d{4}, log loss \d\.\d{4}, ECE \d\.\d{4} \(\d\.\d{4} before temperature scaling\)/,
    );
    expect(text).toMatch(
      /thresholds for precision 0\.9 \(Wilson lower bound on 12 calibration examples\): auto \d\.\d{4}, suggest \d\.\d{4}/,
    );
    expect(text).toMatch(/automatic tier on held-out: precision (\d\.\d{4}|n\/a), coverage \d\.\d{4} \(\d+ of 24, \d+ wrong\)/);
    expect(lines.some((line) => line.startsWith('threshold'))).toBe(true);
    expect(lines.filter((line) => /^0\.9990 /.test(line))).toHaveLength(1);
    // Twelve calibration examples cannot support 90% precision with a Wilson bound: nothing automatic.
    expect(text).toContain('auto 1.0000');
  });

  it('refuses to evaluate on data other than the data the model was trained on', async () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    writeDataset(other, 41);

    const { code, text } = await run('evaluate', '--data', other, '--model', modelFile);

    expect(code).toBe(ClassifierExitCode.Failed);
    expect(text).toMatch(/^error: the data is not what the model was trained on/);
  });

  it('reports a missing dataset or model as a failure', async () => {
    expect(await run('train', '--data', join(dir, 'nowhere'), '--out', modelFile)).toMatchObject({
      code: ClassifierExitCode.Failed,
      text: expect.stringMatching(/^error: cannot read .*train\.csv: ENOENT/),
    });
    expect(await run('evaluate', '--data', data, '--model', join(dir, 'none.json'))).toMatchObject({
      code: ClassifierExitCode.Failed,
      text: expect.stringMatching(/^error: cannot read .*none\.json: ENOENT/),
    });
  });

  it.each([
    [[], /^unknown command ''/],
    [['fit'], /^unknown command 'fit'/],
    [['train', '--data', 'x'], /^missing --out/],
    [['train', '--data', 'x', '--out'], /^option --out needs a value/],
    [['train', '--data', 'x', '--out', 'y', '--seed', '-1'], /^--seed must be a non-negative integer/],
    [['train', '--data', 'x', '--out', 'y', '--seed', 'abc'], /^--seed must be a non-negative integer/],
    [['evaluate', '--data', 'x', '--model', 'y', '--target', '1.5'], /^--target must be a number between 0 and 1/],
    [['evaluate', '--data', 'x', '--model', 'y', '--verbose', 'yes'], /^unknown option '--verbose'/],
  ])('rejects %j as a usage error', async (argv, message) => {
    const { code, lines } = await run(...argv);

    expect(code).toBe(ClassifierExitCode.Usage);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^usage: /);
  });

  it('prints usage on help', async () => {
    const { code, lines } = await run('--help');

    expect(code).toBe(ClassifierExitCode.Ok);
    expect(lines[0]).toMatch(/^usage: baton classifier train/);
  });

  it.each([
    [['train', '--help'], 'train'],
    [['train', '--data', 'x', '-h'], 'train'],
    [['evaluate', '--help'], 'evaluate'],
    [['help', 'evaluate'], 'evaluate'],
  ])('prints the options of a command for %j, doing nothing else', async (argv, command) => {
    const { code, lines } = await run(...argv);

    expect(code).toBe(ClassifierExitCode.Ok);
    expect(lines[0]).toBe(
      `usage: baton classifier ${command} ` +
        (command === 'train' ? '--data <dir> --out <model.json> [--seed <n>]' : '--data <dir> --model <model.json> [--target <precision>]'),
    );
    expect(lines.some((line) => line.trim().startsWith('--data <dir>'))).toBe(true);
  });

  it('reports training progress, rising to 100%, then clears it', async () => {
    const reported: number[] = [];
    let cleared = false;
    const lines: string[] = [];
    const code = await runClassifierCli(['train', '--data', data, '--out', join(dir, 'progress.json')], (line) => lines.push(line), {
      update: (fraction) => reported.push(fraction),
      done: () => (cleared = true),
    });

    expect(code).toBe(ClassifierExitCode.Ok);
    expect(reported.length).toBeGreaterThan(3);
    expect(reported.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= reported[i - 1]!))).toBe(true);
    expect(reported.at(-1)).toBe(1);
    expect(cleared).toBe(true);
  });
});
