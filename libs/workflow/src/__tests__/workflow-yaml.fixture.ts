import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A valid workflow whose line numbers the specs rely on: edit it with `withLine` so positions in
 * expected messages stay obvious.
 */
export const VALID_WORKFLOW = [
  /*  1 */ 'apiVersion: baton/v1',
  /*  2 */ 'kind: Workflow',
  /*  3 */ 'id: refund-request',
  /*  4 */ 'version: 1',
  /*  5 */ 'name: Refund request',
  /*  6 */ 'owner: finance-lead@acme.example',
  /*  7 */ 'trigger:',
  /*  8 */ '  type: webhook',
  /*  9 */ '  source: refund-form',
  /* 10 */ '  schema:',
  /* 11 */ '    type: object',
  /* 12 */ '    required: [customerId, amount]',
  /* 13 */ '    properties:',
  /* 14 */ '      customerId: { type: string }',
  /* 15 */ '      amount: { type: number, exclusiveMinimum: 0 }',
  /* 16 */ 'context:',
  /* 17 */ '  - id: customer',
  /* 18 */ '    connector: crm',
  /* 19 */ '    operation: getCustomer',
  /* 20 */ '    args:',
  /* 21 */ '      customerId: trigger.customerId',
  /* 22 */ 'decision:',
  /* 23 */ '  rules:',
  /* 24 */ '    - id: over-limit',
  /* 25 */ '      when: trigger.amount > org.refundLimit',
  /* 26 */ '      then: review',
  /* 27 */ '  thresholds: { auto: 0.85, suggest: 0.5 }',
  /* 28 */ 'actions:',
  /* 29 */ '  - id: refund',
  /* 30 */ '    connector: billing',
  /* 31 */ '    operation: issueRefund',
  /* 32 */ '    args: { accountId: context.customer.billingAccountId, amount: trigger.amount, notify: true }',
  /* 33 */ `    when: "decision.outcome == 'act'"`,
  /* 34 */ '    verify:',
  /* 35 */ '      operation: getRefund',
  /* 36 */ '      args: { refundId: result.refundId }',
  /* 37 */ `      expect: state.status == 'issued' && state.amount == trigger.amount`,
  '',
].join('\n');

/** VALID_WORKFLOW with 1-based line `line` replaced by `text` (several lines allowed). */
export function withLine(line: number, text: string, yaml: string = VALID_WORKFLOW): string {
  const lines = yaml.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

const created: string[] = [];

/** A fresh directory holding the given files; removed by removeDirectories(). */
export function directoryWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-workflow-'));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export function removeDirectories(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn` and returns the error it throws, failing the test when it does not throw. */
export function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
