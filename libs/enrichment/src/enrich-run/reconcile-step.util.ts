import { ConnectorError, ConnectorErrorCode, type ConnectorCallContext, type ConnectorRegistry } from '@baton/connectors';
import {
  checkField,
  recordOf,
  reconciledField,
  sourceLabel,
  type CompiledReconcile,
  type ExpressionVariables,
  type FieldSource,
  type ReconciliationCheck,
} from '@baton/workflow';

/**
 * A `reconcile` context step: reads one entity's field from its source of truth and from every
 * copy through their connectors, and compares them (the comparison is the one sweeps use). The
 * result goes into the run's context; on a mismatch the decision sends the run to a person.
 *
 * Connector failures keep their class, so the caller retries transient ones and blocks on data
 * ones like any look-up. The truth holding no record of the entity is a data failure: there is
 * nothing to trust. A copy holding none is simply not compared.
 */
export async function reconcileStep(
  step: CompiledReconcile,
  vars: ExpressionVariables,
  connectors: ConnectorRegistry,
  ctx: ConnectorCallContext,
): Promise<ReconciliationCheck> {
  const field = reconciledField(step.field);
  if (!field)
    throw new ConnectorError(
      'reconciliation',
      step.field,
      'data',
      ConnectorErrorCode.UnknownOperation,
      `${step.field} is not a reconciled field`,
    );
  const entity = step.entity.evaluate(vars);
  if ((typeof entity !== 'string' && typeof entity !== 'number') || entity === '') {
    throw new ConnectorError(
      'reconciliation',
      field.name,
      'data',
      ConnectorErrorCode.InvalidArgument,
      `${step.entity.path} must give an entity id, got ${JSON.stringify(entity)}`,
    );
  }
  const entityId = String(entity);
  const [truth, ...copies] = await Promise.all(
    [field.truth, ...field.copies].map((source) => readField(source, entityId, connectors, ctx)),
  );
  if (!truth) {
    throw new ConnectorError(
      field.truth.connector,
      field.truth.read.operation,
      'data',
      ConnectorErrorCode.NotFound,
      `${sourceLabel(field.truth)}, the source of truth of ${field.name}, holds no record of ${entityId}`,
    );
  }
  const found = field.copies.flatMap((source, i) => (copies[i] ? [{ source, value: copies[i].value }] : []));
  return checkField(field, entityId, truth.value, found);
}

async function readField(
  source: FieldSource,
  entityId: string,
  connectors: ConnectorRegistry,
  ctx: ConnectorCallContext,
): Promise<{ value: unknown } | undefined> {
  try {
    const answer = await connectors.get(source.connector).call(source.read.operation, { [source.read.idArg]: entityId }, ctx);
    const record = recordOf(answer, source, entityId);
    return record ? { value: record[source.field] ?? null } : undefined;
  } catch (error) {
    if (error instanceof ConnectorError && error.code === ConnectorErrorCode.NotFound) return undefined;
    throw error;
  }
}
