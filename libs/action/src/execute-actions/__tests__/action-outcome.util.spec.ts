import { ConnectorError } from '@baton/connectors';
import { classifyFailure } from '@baton/platform-runtime';
import { ExpressionError, ExpressionErrorCode, type CompiledAction } from '@baton/workflow';
import { classifyCallFailure, classifyPreparationFailure } from '../action-outcome.util';

const refund = { id: 'refund', connector: 'billing', operation: 'issueRefund' } as CompiledAction;
const failureOf = (failureClass: 'transient' | 'infrastructure' | 'data', message: string, retryAfterMs?: number) =>
  classifyFailure(new ConnectorError('billing', 'issueRefund', failureClass, `${failureClass}_code`, message, retryAfterMs));

describe(classifyCallFailure.name, () => {
  it('blocks the run on a data failure, whatever the circuit says and whether the run was re-submitted', () => {
    const failure = failureOf('data', 'billing.issueRefund: bad request (400)');
    for (const resubmitted of [false, true]) {
      expect(classifyCallFailure(refund, { status: 'failed', failure, circuit: 'closed', durationMs: 3 }, resubmitted)).toEqual({
        kind: 'blocked',
        action: refund,
        failure,
        reason: 'action refund failed: billing.issueRefund: bad request (400)',
      });
    }
  });

  it('queues the run when the connector refused the call, with the refusal as the reason and no failure', () => {
    const sut = classifyCallFailure(refund, { status: 'refused', reason: 'billing circuit is open (billing is unavailable)' }, false);

    expect(sut).toEqual({
      kind: 'queued',
      action: refund,
      reason: 'billing circuit is open (billing is unavailable); action refund queued',
    });
  });

  it('queues the run when the failure left the circuit open or half-open, keeping the failure', () => {
    const failure = failureOf('infrastructure', 'billing.issueRefund: connection refused');
    for (const circuit of ['open', 'half_open'] as const) {
      expect(classifyCallFailure(refund, { status: 'failed', failure, circuit, durationMs: 1 }, false)).toEqual({
        kind: 'queued',
        action: refund,
        failure,
        reason: 'billing circuit opened (billing.issueRefund: connection refused); action refund queued',
      });
    }
  });

  it('leaves a transient failure of a delivered run to the bus, and keeps a re-submitted one on the queue', () => {
    const failure = failureOf('transient', 'billing.issueRefund: request timed out', 2_000);
    const call = { status: 'failed', failure, circuit: 'closed', durationMs: 30 } as const;

    expect(classifyCallFailure(refund, call, false)).toMatchObject({ kind: 'retry', failure: { retryAfterMs: 2_000 } });
    expect(classifyCallFailure(refund, call, true)).toEqual({
      kind: 'retry_later',
      action: refund,
      failure,
      reason: 'action refund failed transiently: billing.issueRefund: request timed out',
    });
  });
});

describe(classifyPreparationFailure.name, () => {
  it('blocks the run when an argument cannot be evaluated on its data', () => {
    const error = new ExpressionError(ExpressionErrorCode.Evaluation, 'actions[0].args.amount', 'trigger.amount', 'No such key: amount');

    expect(classifyPreparationFailure(refund, error)).toEqual({
      kind: 'blocked',
      action: refund,
      failure: { failureClass: 'data', code: 'expression.evaluation', message: 'actions[0].args.amount: No such key: amount' },
      reason: 'action refund failed: actions[0].args.amount: No such key: amount',
    });
  });

  it('hands anything unexpected to the bus to retry', () => {
    expect(classifyPreparationFailure(refund, new Error('catalog not loaded'))).toMatchObject({
      kind: 'retry',
      failure: { failureClass: 'transient', code: 'unexpected', message: 'catalog not loaded' },
    });
  });
});
