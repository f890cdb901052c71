import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompiledWorkflow } from '../compiled-workflow.util';
import { Expression } from '../expression.util';
import { WorkflowDefinitionError, WorkflowErrorCode } from '../workflow-definition.exception';
import { loadWorkflowDirectory, loadWorkflowFile, parseWorkflow } from '../workflow-loader.util';
import { directoryWith, removeDirectories, thrownBy, VALID_WORKFLOW, withLine } from './workflow-yaml.fixture';

function issuesOf(yaml: string) {
  const error = thrownBy(() => parseWorkflow(yaml, 'refund.yaml'));
  expect(error).toBeInstanceOf(WorkflowDefinitionError);
  return (error as WorkflowDefinitionError).issues;
}

/** An issue found in refund.yaml, the file every parse here reads. */
function issueAt(path: string, line: number, column: number, message: string) {
  return { file: 'refund.yaml', path, line, column, message };
}

afterAll(removeDirectories);

describe(parseWorkflow.name, () => {
  it('compiles a valid definition with its expressions, literals and defaults', () => {
    const sut = parseWorkflow(VALID_WORKFLOW, 'refund.yaml');

    expect(sut).toBeInstanceOf(CompiledWorkflow);
    expect(sut).toMatchObject({ id: 'refund-request', version: 1, name: 'Refund request', owner: 'finance-lead@acme.example' });
    expect(sut.source).toEqual({ file: 'refund.yaml' });
    expect(sut.trigger).toMatchObject({ type: 'webhook', source: 'refund-form' });
    expect(sut.context[0]?.args['customerId']).toBeInstanceOf(Expression);
    expect(sut.context[0]?.optional).toBe(false);
    expect(sut.decision.rules[0]).toMatchObject({ id: 'over-limit', then: 'review' });
    expect(sut.decision.rules[0]?.when.source).toBe('trigger.amount > org.refundLimit');
    expect(sut.decision.thresholds).toEqual({ auto: 0.85, suggest: 0.5 });
    expect(sut.actions[0]?.args['notify']).toBe(true);
    expect(sut.actions[0]?.when?.path).toBe('actions[0].when');
    expect(sut.actions[0]?.verify).toMatchObject({ connector: 'billing', operation: 'getRefund' });
    expect(sut.actions[0]?.verify.expect.path).toBe('actions[0].verify.expect');
    expect(sut.expressions.map((e) => e.path)).toEqual([
      'context[0].args.customerId',
      'decision.rules[0].when',
      'actions[0].args.accountId',
      'actions[0].args.amount',
      'actions[0].when',
      'actions[0].verify.args.refundId',
      'actions[0].verify.expect',
    ]);
  });

  it('applies the default thresholds when none are given', () => {
    const sut = parseWorkflow(withLine(27, ''), 'refund.yaml');

    expect(sut.decision.thresholds).toEqual({ auto: 0.9, suggest: 0.6 });
    expect(sut.decision.score).toBeUndefined();
  });

  it('accepts a workflow without context or decision', () => {
    const yaml = VALID_WORKFLOW.split('\n')
      .filter((_, i) => i < 15 || i >= 27)
      .join('\n')
      .replace('context.customer.billingAccountId', 'trigger.customerId');

    const sut = parseWorkflow(yaml, 'minimal.yaml');

    expect(sut.context).toEqual([]);
    expect(sut.decision.rules).toEqual([]);
  });

  it('reports an unknown field at its key, suggesting the intended one', () => {
    expect(issuesOf(withLine(27, '  thresold: { auto: 0.85, suggest: 0.5 }'))).toEqual([
      issueAt('decision.thresold', 27, 3, "unknown field 'thresold' (did you mean 'thresholds'?)"),
    ]);
  });

  it('reports a value outside an enum with the allowed values', () => {
    expect(issuesOf(withLine(26, '      then: approve'))).toEqual([
      issueAt('decision.rules[0].then', 26, 13, 'must be one of act, review, manual, reject, draft'),
    ]);
  });

  it('reports a missing required field at the map that lacks it', () => {
    expect(issuesOf(withLine(6, ''))).toEqual([issueAt('', 1, 1, "missing required field 'owner'")]);
    expect(issuesOf(withLine(37, ''))).toEqual([issueAt('actions[0].verify', 35, 7, "missing required field 'expect'")]);
  });

  it('reports a CEL syntax error with the expression path and the position inside it', () => {
    const [issue, ...rest] = issuesOf(withLine(25, '      when: trigger.amount >'));

    expect(rest).toEqual([]);
    expect(issue).toEqual(issueAt('decision.rules[0].when', 25, 13, 'CEL syntax error: Unexpected token: EOF (at character 17)'));
  });

  it('renders issues as file:line:column path: reason in the error message', () => {
    const error = thrownBy(() => parseWorkflow(withLine(25, '      when: trigger.amount >'), 'refund.yaml'));

    expect(error.message).toContain('refund.yaml:25:13 decision.rules[0].when: CEL syntax error: Unexpected token: EOF');
  });

  it('reports CEL type errors and expressions of the wrong kind at load time', () => {
    const issues = issuesOf(withLine(25, `      when: "unknownVar > 1"`, withLine(37, `      expect: "'issued'"`)));

    expect(issues).toEqual([
      expect.objectContaining({
        path: 'decision.rules[0].when',
        line: 25,
        message: expect.stringContaining('Unknown variable: unknownVar'),
      }),
      expect.objectContaining({
        path: 'actions[0].verify.expect',
        line: 37,
        message: 'must evaluate to a boolean, but this expression yields string',
      }),
    ]);
  });

  it('rejects variables that do not exist where the expression runs', () => {
    const issues = issuesOf(withLine(25, '      when: result.refundId != ""'));

    expect(issues).toEqual([
      expect.objectContaining({ path: 'decision.rules[0].when', message: 'CEL type error: Unknown variable: result (at character 1)' }),
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const issues = issuesOf(withLine(14, '      customerId: { type: string'));

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      file: 'refund.yaml',
      path: '',
      line: expect.any(Number),
      message: expect.stringMatching(/^YAML syntax error: /),
    });
    expect(issues[0]?.line).toBeGreaterThanOrEqual(14);
  });

  it('reports a duplicated key as a YAML error', () => {
    expect(issuesOf(withLine(5, 'name: Refund request\nname: Again'))).toEqual([
      issueAt('', 6, 1, 'YAML syntax error: Map keys must be unique'),
    ]);
  });

  it('reports a duplicate rule id at the second rule, naming the first', () => {
    const yaml = withLine(26, '      then: review\n    - id: over-limit\n      when: "true"\n      then: act');

    expect(issuesOf(yaml)).toEqual([
      issueAt('decision.rules[1].id', 27, 11, "duplicate rule id 'over-limit' (first used by decision.rules[0])"),
    ]);
  });

  it('reports a suggest threshold above the auto threshold', () => {
    expect(issuesOf(withLine(27, '  thresholds: { auto: 0.5, suggest: 0.7 }'))).toEqual([
      issueAt('decision.thresholds.suggest', 27, 37, 'must not exceed thresholds.auto (0.5)'),
    ]);
  });

  it('judges threshold order after defaults are applied', () => {
    expect(issuesOf(withLine(27, '  thresholds: { auto: 0.5 }'))).toEqual([
      expect.objectContaining({ path: 'decision.thresholds.auto', message: 'must not be below thresholds.suggest (0.6, the default)' }),
    ]);
  });

  it('reports every schema problem at once, in document order', () => {
    const yaml = withLine(3, 'id: Refund_Request', withLine(8, '  type: webhok', withLine(26, '      then: approve')));

    expect(issuesOf(yaml).map((i) => `${i.line}:${i.column} ${i.path}`)).toEqual([
      '3:5 id',
      '8:9 trigger.type',
      '26:13 decision.rules[0].then',
    ]);
  });

  it('rejects schedule-only fields on other triggers and requires every and scan on schedules', () => {
    expect(issuesOf(withLine(9, '  source: refund-form\n  every: 1h'))).toEqual([
      expect.objectContaining({
        path: 'trigger.every',
        line: 10,
        column: 3,
        message: "field 'every' is only allowed when trigger type is 'schedule'",
      }),
    ]);
    expect(issuesOf(withLine(8, '  type: schedule'))).toEqual([
      expect.objectContaining({ path: 'trigger', message: "missing required field 'every'" }),
      expect.objectContaining({ path: 'trigger', message: "missing required field 'scan'" }),
    ]);
  });

  it('validates approval tiers and their durations', () => {
    expect(issuesOf(withLine(27, '  approval: { tier: fast_track }'))).toEqual([
      expect.objectContaining({ path: 'decision.approval', message: "missing required field 'quietPeriod'" }),
    ]);
    expect(issuesOf(withLine(27, '  approval: { tier: fast_track, quietPeriod: 4 hours }'))).toEqual([
      expect.objectContaining({ path: 'decision.approval.quietPeriod', message: "must be a duration like '30s', '15m', '4h' or '1d'" }),
    ]);
    const sut = parseWorkflow(withLine(27, '  approval: { tier: fast_track, quietPeriod: 4h }'), 'refund.yaml');
    expect(sut.decision.approval).toEqual({ tier: 'fast_track', quietPeriod: '4h', quietPeriodMs: 4 * 3_600_000 });
  });

  it('lets a context step read only the steps before it', () => {
    const yaml = withLine(
      21,
      '      customerId: context.account.customerId\n  - id: account\n    connector: billing\n    operation: getAccount',
    );

    expect(issuesOf(yaml)).toEqual([
      expect.objectContaining({
        path: 'context[0].args.customerId',
        message: "context step 'account' is not available here: a step can only use the steps listed before it",
      }),
    ]);
  });

  it('rejects references to unknown context steps, later actions and undocumented decision fields', () => {
    const yaml = withLine(32, '    args: { a: context.custmer.id, b: actions.refund.id, c: decision.confidance }');

    expect(issuesOf(yaml).map((i) => i.message)).toEqual([
      "unknown context step 'custmer'; defined steps: customer",
      "action 'refund' has not run yet here: only earlier actions can be read",
      "unknown field 'confidance' of decision; it has outcome, suggestion, confidence",
    ]);
  });

  it('reports an invalid trigger payload schema under trigger.schema', () => {
    expect(issuesOf(withLine(11, '    type: objekt'))).toEqual([
      expect.objectContaining({ path: 'trigger.schema.type', line: 11, message: expect.stringContaining('must be one of') }),
    ]);
    expect(issuesOf(withLine(12, '    requried: [customerId, amount]'))).toEqual([
      expect.objectContaining({ path: 'trigger.schema', message: expect.stringContaining('unknown keyword: "requried"') }),
    ]);
  });

  it('rejects a document that is not a map', () => {
    expect(issuesOf('- just\n- a list\n')).toEqual([issueAt('', 1, 1, 'must be a map')]);
    expect(issuesOf('')).toEqual([issueAt('', 1, 1, 'must be a map')]);
  });

  it('refuses alias bombs instead of expanding them', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');

    expect(issuesOf(bomb)[0]?.message).toMatch(/^YAML error: /);
  });
});

describe(loadWorkflowFile.name, () => {
  it('names the file in every issue', () => {
    const dir = directoryWith({ 'bad.yaml': withLine(26, '      then: approve') });

    const error = thrownBy(() => loadWorkflowFile(join(dir, 'bad.yaml'))) as WorkflowDefinitionError;

    expect(error.issues[0]?.file).toBe(join(dir, 'bad.yaml'));
    expect(error.message).toContain(`${join(dir, 'bad.yaml')}:26:13 decision.rules[0].then: must be one of`);
  });

  it('reports an unreadable file with its own code', () => {
    const error = thrownBy(() => loadWorkflowFile('/nonexistent/refund.yaml')) as WorkflowDefinitionError;

    expect(error.code).toBe(WorkflowErrorCode.UnreadableFile);
    expect(error.issues[0]).toMatchObject({ file: '/nonexistent/refund.yaml', message: expect.stringContaining('cannot read file') });
  });
});

describe(loadWorkflowDirectory.name, () => {
  it('loads the good files even when others are bad', () => {
    const dir = directoryWith({
      'a-good.yaml': VALID_WORKFLOW,
      'b-bad.yml': withLine(26, '      then: approve').replace('id: refund-request', 'id: other'),
      'c-broken.yaml': 'id: [',
      'notes.txt': 'not yaml',
    });

    const sut = loadWorkflowDirectory(dir);

    expect(sut.workflows.map((w) => w.id)).toEqual(['refund-request']);
    expect(sut.errors.map((e) => e.files)).toEqual([[join(dir, 'b-bad.yml')], [join(dir, 'c-broken.yaml')]]);
  });

  it('rejects every file of a duplicated workflow id, naming the other file', () => {
    const dir = directoryWith({
      'one.yaml': VALID_WORKFLOW,
      'two.yaml': VALID_WORKFLOW.replace('version: 1', 'version: 2'),
      'unique.yaml': VALID_WORKFLOW.replace('id: refund-request', 'id: unique'),
    });

    const sut = loadWorkflowDirectory(dir);

    expect(sut.workflows.map((w) => w.id)).toEqual(['unique']);
    expect(sut.errors.map((e) => e.code)).toEqual([WorkflowErrorCode.DuplicateWorkflowId, WorkflowErrorCode.DuplicateWorkflowId]);
    expect(sut.errors[0]?.message).toContain(
      `${join(dir, 'one.yaml')}:3:5 id: duplicate workflow id 'refund-request': also defined in ${join(dir, 'two.yaml')}`,
    );
    expect(sut.errors[1]?.message).toContain(`also defined in ${join(dir, 'one.yaml')}`);
  });

  it('skips organisation settings files', () => {
    const dir = directoryWith({ 'organisations.yaml': 'organisations:\n  acme: { name: Acme }\n', 'w.yaml': VALID_WORKFLOW });

    const sut = loadWorkflowDirectory(dir);

    expect(sut.workflows).toHaveLength(1);
    expect(sut.errors).toEqual([]);
  });

  it('reads a Kubernetes ConfigMap volume: files linked from its ..data folder, nothing twice', () => {
    const dir = directoryWith({});
    const version = join(dir, '..2026_01_01_00_00_00.000000001');
    mkdirSync(version);
    writeFileSync(join(version, 'w.yaml'), VALID_WORKFLOW);
    symlinkSync('..2026_01_01_00_00_00.000000001', join(dir, '..data'));
    symlinkSync('..data/w.yaml', join(dir, 'w.yaml'));
    symlinkSync('..data/gone.yaml', join(dir, 'dangling.yaml'));

    const sut = loadWorkflowDirectory(dir);

    expect(sut.workflows.map((w) => [w.id, w.source.file])).toEqual([['refund-request', join(dir, 'w.yaml')]]);
    expect(sut.errors).toEqual([]);
  });

  it('throws when the directory cannot be read', () => {
    expect(() => loadWorkflowDirectory('/nonexistent-dir')).toThrow(WorkflowDefinitionError);
  });
});
