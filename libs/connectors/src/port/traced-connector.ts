import { SpanKind } from '@opentelemetry/api';
import { withSpan } from '@baton/platform-observability';
import { ConnectorError } from './connector.exception';
import type { Connector, ConnectorCallContext, ConnectorCallPurpose, OperationSpec } from './connector.types';

/**
 * A connector as the registry hands it out: every call is a client span named
 * `<connector>.<operation>` in the active trace (a run's stage, a review, a revert), with what
 * it was for — a lookup, an action, a read-back, a compensation — and how it failed. One place,
 * so no caller can forget it.
 */
export class TracedConnector implements Connector {
  readonly name: string;
  readonly operations: readonly OperationSpec[];
  private readonly compensations: ReadonlySet<string>;

  constructor(private readonly inner: Connector) {
    this.name = inner.name;
    this.operations = inner.operations;
    this.compensations = new Set(inner.operations.map((op) => op.compensation).filter((name): name is string => Boolean(name)));
  }

  call(operation: string, args: Record<string, unknown>, ctx?: ConnectorCallContext): Promise<unknown> {
    const attributes = {
      'baton.connector': this.name,
      'baton.connector.operation': operation,
      'baton.connector.purpose': ctx?.purpose ?? this.purposeOf(operation),
      ...(ctx?.runId ? { 'baton.run_id': ctx.runId } : {}),
      ...(ctx?.step ? { 'baton.step': ctx.step } : {}),
      ...(ctx?.idempotencyKey ? { 'baton.idempotency_key': ctx.idempotencyKey } : {}),
    };
    return withSpan(
      `${this.name}.${operation}`,
      attributes,
      async (span) => {
        try {
          return await this.inner.call(operation, args, ctx);
        } catch (error) {
          if (error instanceof ConnectorError) span.setAttributes({ 'baton.failure_class': error.failureClass, 'error.type': error.code });
          throw error;
        }
      },
      SpanKind.CLIENT,
    );
  }

  /** What a call is for when the caller does not say: writes act (or compensate), reads read. */
  private purposeOf(operation: string): ConnectorCallPurpose {
    const kind = this.operations.find((op) => op.name === operation)?.kind;
    if (kind !== 'write') return 'read';
    return this.compensations.has(operation) ? 'compensation' : 'action';
  }
}
