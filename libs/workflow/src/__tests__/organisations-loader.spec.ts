import { join } from 'node:path';
import { loadOrganisationsFile, parseOrganisations } from '../organisations-loader.util';
import { WorkflowDefinitionError, WorkflowErrorCode } from '../workflow-definition.exception';
import { directoryWith, removeDirectories, thrownBy } from './workflow-yaml.fixture';

const VALID = [
  'organisations:',
  '  acme:',
  '    name: Acme',
  '    refundLimit: 500',
  '    currency: EUR',
  '  globex:',
  '    name: Globex',
  '    refundLimit: 2000.5',
  '',
].join('\n');

function issuesOf(yaml: string) {
  const error = thrownBy(() => parseOrganisations(yaml, 'organisations.yaml'));
  expect(error).toBeInstanceOf(WorkflowDefinitionError);
  expect((error as WorkflowDefinitionError).code).toBe(WorkflowErrorCode.InvalidOrganisations);
  return (error as WorkflowDefinitionError).issues;
}

afterAll(removeDirectories);

describe(parseOrganisations.name, () => {
  it('returns settings by organisation id', () => {
    const sut = parseOrganisations(VALID, 'organisations.yaml');

    expect([...sut.keys()]).toEqual(['acme', 'globex']);
    expect(sut.get('acme')).toEqual({ name: 'Acme', refundLimit: 500, currency: 'EUR' });
    expect(sut.get('globex')?.['refundLimit']).toBe(2000.5);
  });

  it('never answers for an id it does not hold, whatever the id', () => {
    const sut = parseOrganisations(VALID, 'organisations.yaml');

    expect(sut.get('constructor')).toBeUndefined();
    expect(sut.get('__proto__')).toBeUndefined();
  });

  it('freezes settings so one run cannot change them for another', () => {
    const acme = parseOrganisations(VALID, 'organisations.yaml').get('acme') as Record<string, unknown>;

    expect(() => {
      acme['refundLimit'] = 1_000_000;
    }).toThrow(TypeError);
  });

  it('rejects ids that are not kebab-case, at the key', () => {
    expect(issuesOf('organisations:\n  Acme_Corp: { name: Acme }\n')).toEqual([
      {
        file: 'organisations.yaml',
        path: 'organisations.Acme_Corp',
        line: 2,
        column: 3,
        message: "invalid name 'Acme_Corp': must be kebab-case: a lowercase letter, then 1-62 lowercase letters, digits or dashes",
      },
    ]);
  });

  it('requires each organisation to be a map', () => {
    expect(issuesOf('organisations:\n  acme: 500\n')).toEqual([
      { file: 'organisations.yaml', path: 'organisations.acme', line: 2, column: 9, message: 'must be a map' },
    ]);
  });

  it('reports unknown top-level fields and a missing organisations map', () => {
    expect(issuesOf('organisation:\n  acme: {}\n')).toEqual([
      { file: 'organisations.yaml', path: '', line: 1, column: 1, message: "missing required field 'organisations'" },
      {
        file: 'organisations.yaml',
        path: 'organisation',
        line: 1,
        column: 1,
        message: "unknown field 'organisation' (did you mean 'organisations'?)",
      },
    ]);
  });

  it('reads money limits as one amount or one per currency, and rejects a bad one where it is', () => {
    const sut = parseOrganisations(
      [
        'organisations:',
        '  acme:',
        '    moneyLimits:',
        '      billing.issueRefund: 500',
        '      billing.issueCredit: { EUR: 100, USD: 110 }',
        '',
      ].join('\n'),
      'organisations.yaml',
    );
    expect(sut.get('acme')?.['moneyLimits']).toEqual({ 'billing.issueRefund': 500, 'billing.issueCredit': { EUR: 100, USD: 110 } });

    const issues = issuesOf(
      [
        'organisations:',
        '  acme:',
        '    moneyLimits:',
        '      billing.issueRefund: -5',
        '      issueCredit: 100',
        '      billing.payOut: { eur: 1 }',
        '',
      ].join('\n'),
    );
    expect(issues.map((i) => [i.path, i.line])).toEqual(
      expect.arrayContaining([
        ['organisations.acme.moneyLimits.billing.issueRefund', 4],
        ['organisations.acme.moneyLimits.issueCredit', 5],
        ['organisations.acme.moneyLimits.billing.payOut', 6],
      ]),
    );
  });

  it('reports duplicate organisation ids as a YAML error', () => {
    expect(issuesOf('organisations:\n  acme: {}\n  acme: {}\n')).toEqual([
      expect.objectContaining({ line: 3, message: 'YAML syntax error: Map keys must be unique' }),
    ]);
  });
});

describe(loadOrganisationsFile.name, () => {
  it('reads the file and names it in issues', () => {
    const dir = directoryWith({ 'good.yaml': VALID, 'bad.yaml': 'organisations:\n  acme: [1]\n' });

    expect(loadOrganisationsFile(join(dir, 'good.yaml')).size).toBe(2);
    expect(() => loadOrganisationsFile(join(dir, 'bad.yaml'))).toThrow(`${join(dir, 'bad.yaml')}:2:9 organisations.acme: must be a map`);
  });
});
