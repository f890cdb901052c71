import type { Principal } from '@baton/platform-runtime';
import { assertCanDecide, assertFourEyes, couldOwn, isDecider } from '../review-access.util';
import type { ReviewTask } from '../review-task.repository';

const task = (over: Partial<ReviewTask> = {}): ReviewTask =>
  ({
    id: 'rev-1',
    runId: 'run-1',
    orgId: 'acme',
    queue: 'suggested',
    owner: 'finance-lead@acme.example',
    approver: null,
    escalationChain: ['head-of-finance@acme.example', 'cfo@acme.example'],
    escalationLevel: 0,
    objectedBy: null,
    ...over,
  }) as ReviewTask;

const who = (id: string, roles: string[] = ['reviewer'], orgId = 'acme'): Principal => ({ id, orgId, roles });
const refusal = (fn: () => unknown): string => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
};

describe('review access', () => {
  it('lets the owner decide, and escalation-chain members only once it escalated to them', () => {
    expect(isDecider(who('finance-lead@acme.example'), task())).toBe(true);
    expect(isDecider(who('head-of-finance@acme.example'), task())).toBe(false);
    expect(isDecider(who('head-of-finance@acme.example'), task({ escalationLevel: 1, owner: 'head-of-finance@acme.example' }))).toBe(true);
    expect(isDecider(who('cfo@acme.example'), task({ escalationLevel: 1, owner: 'head-of-finance@acme.example' }))).toBe(false);
  });

  it('lets a full review be decided by its designated approver only, a role held explicitly', () => {
    const full = task({ queue: 'approval', approver: 'role:finance-approver' });
    expect(isDecider(who('x@acme.example', ['reviewer', 'finance-approver']), full)).toBe(true);
    expect(isDecider(who('x@acme.example', ['admin']), full)).toBe(false);
    expect(isDecider(who('finance-lead@acme.example'), full)).toBe(false);
  });

  it('refuses anyone else, saying who decides, unless they hold review-override, which is marked as an override', () => {
    expect(refusal(() => assertCanDecide(who('sales-ops@acme.example'), task()))).toBe(
      'not_the_approver: review rev-1 is decided by its owner finance-lead@acme.example; sales-ops@acme.example may not decide it',
    );
    expect(refusal(() => assertCanDecide(who('admin@acme.example', ['admin']), task()))).toMatch(/^not_the_approver/);
    expect(assertCanDecide(who('controller@acme.example', ['reviewer', 'review-override']), task())).toEqual({ override: true });
    expect(assertCanDecide(who('finance-lead@acme.example'), task())).toEqual({ override: false });
  });

  it('keeps four eyes on approval: not the person who started the run, nor who objected to it', () => {
    const lead = who('finance-lead@acme.example');
    expect(refusal(() => assertFourEyes(lead, task(), 'person:finance-lead@acme.example'))).toBe(
      'four_eyes: finance-lead@acme.example started run run-1 and may not approve it: a second person must',
    );
    expect(refusal(() => assertFourEyes(lead, task({ objectedBy: 'finance-lead@acme.example' }), 'webhook:refund-form'))).toMatch(
      /^four_eyes: finance-lead@acme.example objected/,
    );
    expect(refusal(() => assertFourEyes(lead, task(), 'person:submitter@acme.example'))).toBe('allowed');
  });

  it('takes as a new owner only a reviewer of the organisation, the approver of a full review', () => {
    expect(couldOwn(who('head-of-finance@acme.example'), task())).toBe(true);
    expect(couldOwn(who('reviewer@globex.example', ['reviewer'], 'globex'), task())).toBe(false);
    expect(couldOwn(who('viewer@acme.example', ['viewer']), task())).toBe(false);
    expect(couldOwn(who('head-of-finance@acme.example'), task({ queue: 'approval', approver: 'cfo@acme.example' }))).toBe(false);
  });
});
