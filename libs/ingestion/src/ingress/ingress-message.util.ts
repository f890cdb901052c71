import { invalidRequest, IngestionErrorCode, type FieldIssue } from '../ingestion.exception';

export interface IngressTrigger {
  orgId: string;
  payload: Record<string, unknown>;
  /** Names one workflow when several share the source. */
  workflowId?: string;
  /** A producer-chosen key; the same key never starts two runs. */
  dedupeKey?: string;
}

/**
 * Reads a message from an ingress topic. Two shapes are accepted, so any Kafka client can start
 * runs with plain JSON and CloudEvents producers need no translation:
 * - plain: `{ "orgId": "acme", "payload": { ... }, "workflowId"?: "...", "id"?: "..." }`
 * - CloudEvents structured mode: `{ "specversion": "1.0", "id": "...", "orgid": "acme", "data": { ... } }`
 */
export function parseIngressMessage(value: unknown): IngressTrigger {
  const issues: FieldIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid ingress message', [{ path: '', message: 'must be a JSON object' }]);
  }
  const v = value as Record<string, unknown>;
  const cloudEvent = typeof v.specversion === 'string';
  const orgId = cloudEvent ? v.orgid : v.orgId;
  const payload = cloudEvent ? v.data : v.payload;
  const workflowId = cloudEvent ? v.workflowid : v.workflowId;
  const id = v.id;
  if (typeof orgId !== 'string' || !orgId)
    issues.push({ path: cloudEvent ? '/orgid' : '/orgId', message: 'is required and must be a non-empty string' });
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    issues.push({ path: cloudEvent ? '/data' : '/payload', message: 'is required and must be a JSON object' });
  if (workflowId !== undefined && typeof workflowId !== 'string')
    issues.push({ path: cloudEvent ? '/workflowid' : '/workflowId', message: 'must be a string' });
  if (id !== undefined && typeof id !== 'string') issues.push({ path: '/id', message: 'must be a string' });
  if (issues.length) throw invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid ingress message', issues);
  return {
    orgId: orgId as string,
    payload: payload as Record<string, unknown>,
    ...(typeof workflowId === 'string' ? { workflowId } : {}),
    ...(typeof id === 'string' ? { dedupeKey: id } : {}),
  };
}
