import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonIssues, printable, textProblem, type InputIssue } from './json-hygiene.util';

/** The 400 every app answers for input it will not take in, in the shape of every other error. */
export function invalidInputBody(issues: InputIssue[]): { error: 'invalid_input'; message: string; details: { issues: InputIssue[] } } {
  const where = (i: InputIssue) =>
    i.in === 'query'
      ? `query parameter ${i.path}`
      : i.in === 'path'
        ? `path parameter ${i.path}`
        : i.in === 'header'
          ? `header ${i.path}`
          : i.path || '(body)';
  return {
    error: 'invalid_input',
    message: `invalid input: ${issues.map((i) => `${where(i)} ${i.message}`).join('; ')}`,
    details: { issues },
  };
}

/** What is wrong with the query string or path parameters of a request, if anything. */
export function parameterIssues(values: unknown, where: 'query' | 'path'): InputIssue[] {
  if (typeof values !== 'object' || values === null) return [];
  const issues: InputIssue[] = [];
  for (const [name, value] of Object.entries(values)) {
    const shown = printable(name);
    const nameProblem = textProblem(name);
    if (nameProblem) {
      issues.push({ path: shown, in: where, message: `is a parameter name that ${nameProblem}` });
      continue;
    }
    if (Array.isArray(value)) {
      issues.push({ path: shown, in: where, message: 'must be given once' });
      continue;
    }
    if (typeof value !== 'string') continue;
    const problem = textProblem(value);
    if (problem) issues.push({ path: shown, in: where, message: problem });
  }
  return issues;
}

/**
 * Refuses, before any handler runs, input the database would refuse or that would change on the
 * way in: in JSON bodies, strings with NUL or unpaired surrogates, numbers that are not finite,
 * nesting beyond the limit; in query strings and path parameters, the same characters and a
 * parameter given more than once. One hook for every route of the app, so a new route is covered
 * without doing anything. Bodies kept as raw bytes (signed webhooks) are checked by their route
 * after the signature, with the same rules (`jsonIssues`).
 */
export function installInputHardening(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const issues = [
      ...parameterIssues(request.params, 'path'),
      ...parameterIssues(request.query, 'query'),
      ...(request.body === undefined || Buffer.isBuffer(request.body) ? [] : jsonIssues(request.body)),
    ];
    if (issues.length === 0) return;
    await reply
      .code(400)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(invalidInputBody(issues)));
    return reply;
  });
}
