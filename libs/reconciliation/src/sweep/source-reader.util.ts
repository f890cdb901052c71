import { ConnectorError, ConnectorErrorCode, type ConnectorRegistry } from '@baton/connectors';
import { classifyFailure } from '@baton/platform-runtime';
import { recordOf, sourceLabel, valuesOf, type FieldSource } from '@baton/workflow';
import { ReconciliationErrorCode, ReconciliationException } from '../reconciliation.exception';

/** Entity id -> value of the field, for every record the source lists. */
export async function readAll(connectors: ConnectorRegistry, source: FieldSource): Promise<Map<string, unknown>> {
  return valuesOf(await call(connectors, source, source.list, {}), source);
}

/** The field of one entity, or undefined when the source holds no record of it. */
export async function readOne(
  connectors: ConnectorRegistry,
  source: FieldSource,
  entityId: string,
): Promise<{ value: unknown } | undefined> {
  let answer: unknown;
  try {
    answer = await connectors.get(source.connector).call(source.read.operation, { [source.read.idArg]: entityId });
  } catch (error) {
    if (error instanceof ConnectorError && error.code === ConnectorErrorCode.NotFound) return undefined;
    throw sourceFailure(error, source);
  }
  const record = recordOf(answer, source, entityId);
  return record ? { value: record[source.field] ?? null } : undefined;
}

async function call(
  connectors: ConnectorRegistry,
  source: FieldSource,
  operation: string,
  args: Record<string, unknown>,
): Promise<unknown> {
  try {
    return await connectors.get(source.connector).call(operation, args);
  } catch (error) {
    throw sourceFailure(error, source);
  }
}

/** A connector failure in reconciliation's terms: data failures are final (422), others worth retrying (503). */
export function sourceFailure(error: unknown, source: FieldSource): ReconciliationException {
  const failure = classifyFailure(error);
  const details = { source: sourceLabel(source), failureClass: failure.failureClass, code: failure.code };
  return failure.failureClass === 'data'
    ? new ReconciliationException(
        ReconciliationErrorCode.SourceFailed,
        `${sourceLabel(source)}: ${failure.message}`,
        details,
        'unprocessable',
      )
    : new ReconciliationException(
        ReconciliationErrorCode.SourceUnavailable,
        `${sourceLabel(source)} could not be reached, try again later: ${failure.message}`,
        details,
        'retry',
      );
}
