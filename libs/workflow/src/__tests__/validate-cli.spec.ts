import { join } from 'node:path';
import { runValidateCli, VALIDATE_USAGE, ValidateExitCode } from '../validate-cli.util';
import { directoryWith, removeDirectories, VALID_WORKFLOW, withLine } from './workflow-yaml.fixture';

function run(...argv: string[]) {
  const lines: string[] = [];
  const code = runValidateCli(argv, (line) => lines.push(line));
  return { code, lines };
}

afterAll(removeDirectories);

describe(runValidateCli.name, () => {
  it('prints ok with id and version for each valid workflow and exits 0', () => {
    const dir = directoryWith({
      'a.yaml': VALID_WORKFLOW,
      'b.yml': VALID_WORKFLOW.replace('id: refund-request', 'id: other').replace('version: 1', 'version: 3'),
    });

    expect(run('validate', dir)).toEqual({
      code: ValidateExitCode.AllValid,
      lines: [`ok ${join(dir, 'a.yaml')} (refund-request v1)`, `ok ${join(dir, 'b.yml')} (other v3)`],
    });
  });

  it('prints each issue of an invalid file and exits 1', () => {
    const dir = directoryWith({ 'bad.yaml': withLine(26, '      then: approve', withLine(27, '  thresold: {}')) });
    const file = join(dir, 'bad.yaml');

    expect(run('validate', file)).toEqual({
      code: ValidateExitCode.SomeInvalid,
      lines: [
        `${file}:26:13 decision.rules[0].then: must be one of act, review, manual, reject, draft`,
        `${file}:27:3 decision.thresold: unknown field 'thresold' (did you mean 'thresholds'?)`,
      ],
    });
  });

  it('validates several targets, files and directories alike', () => {
    const dir = directoryWith({ 'good.yaml': VALID_WORKFLOW, 'broken.yaml': 'id: [' });
    const other = directoryWith({ 'x.yaml': VALID_WORKFLOW.replace('id: refund-request', 'id: xy') });

    const { code, lines } = run('validate', dir, join(other, 'x.yaml'));

    expect(code).toBe(ValidateExitCode.SomeInvalid);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${escape(join(dir, 'broken.yaml'))}:\\d+:\\d+ \\(root\\): YAML syntax error: `)),
      `ok ${join(dir, 'good.yaml')} (refund-request v1)`,
      `ok ${join(other, 'x.yaml')} (xy v1)`,
    ]);
  });

  it('reports workflows that share an id', () => {
    const dir = directoryWith({ 'one.yaml': VALID_WORKFLOW, 'two.yaml': VALID_WORKFLOW });

    expect(run('validate', dir)).toEqual({
      code: ValidateExitCode.SomeInvalid,
      lines: [
        `${join(dir, 'one.yaml')}:3:5 id: duplicate workflow id 'refund-request': also defined in ${join(dir, 'two.yaml')}`,
        `${join(dir, 'two.yaml')}:3:5 id: duplicate workflow id 'refund-request': also defined in ${join(dir, 'one.yaml')}`,
      ],
    });
  });

  it('validates organisation files found among workflows', () => {
    const dir = directoryWith({ 'organisations.yaml': 'organisations:\n  acme: { refundLimit: 500 }\n  globex: {}\n' });

    expect(run('validate', dir)).toEqual({
      code: ValidateExitCode.AllValid,
      lines: [`ok ${join(dir, 'organisations.yaml')} (organisations: acme, globex)`],
    });
  });

  it.each([
    [[], 'missing command'],
    [['lint', 'x.yaml'], "unknown command 'lint'"],
    [['validate'], 'validate needs at least one file or directory'],
    [['validate', '/nonexistent/x.yaml'], 'no such file or directory: /nonexistent/x.yaml'],
    [['validate', '--strict', 'x.yaml'], "unknown option '--strict' (a file whose name starts with - is ./--strict)"],
  ])('exits 2 with usage for %j', (argv, message) => {
    expect(run(...argv)).toEqual({ code: ValidateExitCode.Usage, lines: [message, ...VALIDATE_USAGE.split('\n')] });
  });

  it.each([[['--help']], [['validate', '--help']], [['validate', 'workflows', '-h']]])(
    'prints usage for %j and exits 0, reading no file',
    (argv) => {
      expect(run(...argv)).toEqual({ code: 0, lines: VALIDATE_USAGE.split('\n') });
    },
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
