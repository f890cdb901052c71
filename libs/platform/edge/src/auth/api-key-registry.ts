import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { parse } from 'yaml';
import type { Principal } from './principal.types';

interface KeyEntry {
  name?: string;
  key?: string;
  keySha256?: string;
  principal: string;
  orgId: string;
  roles: string[];
}

export class ApiKeyFileError extends Error {}

/**
 * API keys mapped to principals, loaded from a YAML file:
 *
 *   apiKeys:
 *     - name: finance lead
 *       keySha256: 3f1c…        # or `key: <plain>` for local demos
 *       principal: finance-lead@acme.example
 *       orgId: acme              # or '*'
 *       roles: [reviewer, finance-approver]
 *
 * Only SHA-256 digests are kept in memory; a presented key is hashed and looked up, so the
 * comparison never depends on how much of a secret matched. The file is also the directory of
 * principals: a review can be reassigned only to a principal it names.
 */
export class ApiKeyRegistry {
  private readonly logger = new Logger(ApiKeyRegistry.name);
  private readonly byDigest = new Map<string, Principal>();

  constructor(file?: string) {
    if (!file) return;
    if (!existsSync(file)) {
      this.logger.warn(`API keys file ${file} does not exist; protected endpoints will refuse every call`);
      return;
    }
    for (const entry of parseKeyFile(readFileSync(file, 'utf8'), file)) {
      const digest = (entry.keySha256 ?? sha256(entry.key!)).toLowerCase();
      this.byDigest.set(digest, { id: entry.principal, orgId: entry.orgId, roles: [...entry.roles] });
    }
  }

  static of(entries: Array<{ key: string } & Principal>): ApiKeyRegistry {
    const registry = new ApiKeyRegistry();
    for (const e of entries) registry.byDigest.set(sha256(e.key), { id: e.id, orgId: e.orgId, roles: [...e.roles] });
    return registry;
  }

  get size(): number {
    return this.byDigest.size;
  }

  resolve(key: string): Principal | null {
    const principal = this.byDigest.get(sha256(key));
    return principal ? { ...principal, roles: [...principal.roles] } : null;
  }

  /**
   * Every identity a principal id holds (one per key: a principal may have several during a key
   * rotation, or one per organisation); empty when no key names it.
   */
  identitiesOf(principalId: string): Principal[] {
    return [...this.byDigest.values()].filter((p) => p.id === principalId).map((p) => ({ ...p, roles: [...p.roles] }));
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function parseKeyFile(text: string, file: string): KeyEntry[] {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new ApiKeyFileError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const list = (data as { apiKeys?: unknown } | null)?.apiKeys;
  if (!Array.isArray(list)) throw new ApiKeyFileError(`${file}: apiKeys: must be a list`);
  const digests = new Map<string, number>();
  return list.map((raw, i) => {
    const at = `${file}: apiKeys[${i}]`;
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof e.key !== 'string' && typeof e.keySha256 !== 'string') problems.push('key or keySha256 is required');
    if (typeof e.key === 'string' && typeof e.keySha256 === 'string') problems.push('give key or keySha256, not both');
    if (typeof e.key === 'string' && e.key.length < 12) problems.push('key must be at least 12 characters');
    if (typeof e.keySha256 === 'string' && !/^[0-9a-fA-F]{64}$/.test(e.keySha256)) problems.push('keySha256 must be 64 hex digits');
    if (typeof e.principal !== 'string' || !e.principal) problems.push('principal is required');
    if (typeof e.orgId !== 'string' || !e.orgId) problems.push("orgId is required ('*' for all organisations)");
    if (!Array.isArray(e.roles) || e.roles.length === 0 || e.roles.some((r) => typeof r !== 'string' || !r))
      problems.push('roles must be a non-empty list of role names');
    const digest = typeof e.keySha256 === 'string' ? e.keySha256.toLowerCase() : typeof e.key === 'string' ? sha256(e.key) : undefined;
    if (digest && digests.has(digest)) problems.push(`the same key as apiKeys[${digests.get(digest)}]: one key stands for one principal`);
    if (digest && !digests.has(digest)) digests.set(digest, i);
    if (problems.length) throw new ApiKeyFileError(`${at}: ${problems.join('; ')}`);
    return e as unknown as KeyEntry;
  });
}
