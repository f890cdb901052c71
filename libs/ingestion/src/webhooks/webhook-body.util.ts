import { jsonIssues } from '@baton/platform-edge';
import { WebhookErrorCode, WebhookException } from './webhook.exception';
import type { WebhookSource } from './webhook-sources.util';

export interface WebhookTrigger {
  orgId: string;
  payload: Record<string, unknown>;
  /** JSON pointer of the payload in the body, prefixed to payload issues: `` or `/payload`. */
  payloadPointer: string;
}

interface Issue {
  path: string;
  message: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the trigger out of a webhook body. A source with a fixed `orgId` posts the payload
 * itself (a third-party sender cannot wrap it); any other source posts `{ orgId, payload }`,
 * the shape of `POST /workflows/:id/runs`.
 * @throws WebhookException invalid_body saying what is wrong and where.
 */
export function parseWebhookBody(body: Buffer, source: Pick<WebhookSource, 'orgId'>): WebhookTrigger {
  const json = parseJson(body);
  // What the database would refuse is refused here, at intake, like any other input: a signed
  // webhook that could never be stored or started is a 400, never a 202 retried for ever.
  const unstorable = jsonIssues(json);
  if (unstorable.length > 0)
    throw invalid(`the body cannot be taken in: ${unstorable.map((i) => `${i.path || '(body)'} ${i.message}`).join('; ')}`, unstorable);
  if (source.orgId !== null) {
    if (!isObject(json))
      throw invalid('the body must be a JSON object (the trigger payload)', [{ path: '', message: 'must be a JSON object' }]);
    return { orgId: source.orgId, payload: json, payloadPointer: '' };
  }
  if (!isObject(json))
    throw invalid('the body must be a JSON object with orgId and payload', [
      { path: '', message: 'must be a JSON object with orgId and payload' },
    ]);
  const issues: Issue[] = [];
  if (typeof json.orgId !== 'string' || json.orgId.length === 0)
    issues.push({ path: '/orgId', message: 'is required and must be a non-empty string' });
  if (!isObject(json.payload)) issues.push({ path: '/payload', message: 'is required and must be a JSON object' });
  for (const key of Object.keys(json)) {
    if (key !== 'orgId' && key !== 'payload')
      issues.push({ path: `/${key}`, message: 'is not a known field (expected orgId and payload)' });
  }
  if (issues.length) throw invalid('invalid webhook body', issues);
  return { orgId: json.orgId as string, payload: json.payload as Record<string, unknown>, payloadPointer: '/payload' };
}

function parseJson(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw invalid('the body is not valid UTF-8', [{ path: '', message: 'must be UTF-8 encoded JSON' }]);
  }
  if (text.trim() === '') throw invalid('the body is empty', [{ path: '', message: 'must be a JSON object' }]);
  try {
    // Keys that would reach an object's prototype when the payload is merged or assigned
    // somewhere are refused, as Fastify's JSON parser does for the rest of the API.
    return JSON.parse(text, (key, value) => {
      if (key === '__proto__' || (key === 'constructor' && isObject(value) && Object.hasOwn(value, 'prototype'))) {
        throw new ForbiddenKey(key);
      }
      return value;
    });
  } catch (error) {
    if (error instanceof ForbiddenKey)
      throw invalid(`the body contains the forbidden key ${error.key}`, [{ path: '', message: `must not contain a "${error.key}" key` }]);
    throw invalid(`the body is not valid JSON: ${(error as Error).message}`, [{ path: '', message: 'must be valid JSON' }]);
  }
}

class ForbiddenKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

function invalid(summary: string, issues: Issue[]): WebhookException {
  return new WebhookException(WebhookErrorCode.InvalidBody, summary, { issues });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
