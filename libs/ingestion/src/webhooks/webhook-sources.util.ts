import { existsSync, readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { parse } from 'yaml';
import type { WebhookOptions } from './webhook-options.types';
import { SOURCE_NAME, webhookSourcesFileSchema, type WebhookSourcesFile } from './webhook-sources.schema';
import { decodeWebhookSecret } from './webhook-signature.util';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** One configured sender, with every default applied. */
export interface WebhookSource {
  name: string;
  /** Decoded signing keys, newest rotation last as written. */
  keys: Buffer[];
  /** Fixed organisation (the body is the payload), or null (the body is `{ orgId, payload }`). */
  orgId: string | null;
  /** The organisations the body may name when there is no fixed one. */
  orgIds: string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  rateLimit: RateLimit;
}

export type DispatcherSettings = WebhookSourcesFile['dispatcher'];

/** A bad sources file: every problem, each with the path of the offending key. */
export class WebhookSourcesError extends Error {
  constructor(
    readonly origin: string,
    readonly problems: string[],
  ) {
    super(`${origin}: invalid webhook sources\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'WebhookSourcesError';
  }
}

/**
 * The webhook senders this process accepts, loaded once at start. Secrets live only here, in
 * memory, decoded; nothing that lists sources (admin API, logs, metrics) shows them.
 */
export class WebhookSources {
  private static readonly logger = new Logger(WebhookSources.name);
  private readonly byName: Map<string, WebhookSource>;

  private constructor(
    readonly origin: string | null,
    readonly dedupeDays: number,
    readonly dispatcher: DispatcherSettings,
    sources: WebhookSource[],
  ) {
    this.byName = new Map(sources.map((s) => [s.name, s]));
  }

  /**
   * From the app's options: inline config, else the file they name (the apps take it from
   * BATON_WEBHOOK_SOURCES), else none (every webhook is answered 404 unknown_source).
   * @throws WebhookSourcesError naming each bad value, so a bad file stops start-up.
   */
  static load(options: WebhookOptions = {}): WebhookSources {
    if (options.config !== undefined) return WebhookSources.parse(options.config, 'webhook sources');
    const file = options.sourcesFile;
    if (file) return WebhookSources.fromFile(file);
    WebhookSources.logger.warn('no webhook sources configured: every webhook will be refused');
    return WebhookSources.parse({}, 'no webhook sources');
  }

  static fromFile(file: string): WebhookSources {
    if (!existsSync(file)) throw new WebhookSourcesError(file, ['the file does not exist']);
    let data: unknown;
    try {
      // YAML 1.2 is a superset of JSON, so one parser reads both formats.
      data = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new WebhookSourcesError(file, [`not valid YAML or JSON: ${(error as Error).message}`]);
    }
    return WebhookSources.parse(data ?? {}, file);
  }

  static parse(data: unknown, origin: string): WebhookSources {
    const declared = (data as { sources?: unknown } | null)?.sources;
    const problems = Object.keys(typeof declared === 'object' && declared !== null ? declared : {})
      .filter((name) => !SOURCE_NAME.test(name))
      .map((name) => `sources.${name}: source names are lower-case letters, digits, ".", "_" and "-" (at most 63)`);
    const result = webhookSourcesFileSchema.safeParse(data);
    if (!result.success) {
      throw new WebhookSourcesError(origin, [
        ...problems,
        ...result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`),
      ]);
    }
    const file = result.data;
    const sources = Object.entries(file.sources).map(([name, s]): WebhookSource => {
      const source: WebhookSource = {
        name,
        keys: s.secrets.map((secret) => decodeWebhookSecret(secret)),
        orgId: s.orgId ?? null,
        orgIds: s.orgId ? [s.orgId] : [...(s.orgIds ?? [])],
        toleranceSeconds: s.toleranceSeconds ?? file.defaults.toleranceSeconds,
        maxBodyBytes: s.maxBodyBytes ?? file.defaults.maxBodyBytes,
        rateLimit: s.rateLimit ?? file.defaults.rateLimit,
      };
      // A replayed request must be refused by one check or the other: stale timestamps by the
      // tolerance, fresh ones by the remembered id.
      if (source.toleranceSeconds >= file.dedupeDays * 86_400) {
        problems.push(`sources.${name}.toleranceSeconds: must be shorter than the dedupe window (dedupeDays: ${file.dedupeDays})`);
      }
      return source;
    });
    if (problems.length) throw new WebhookSourcesError(origin, problems);
    return new WebhookSources(origin, file.dedupeDays, file.dispatcher, sources);
  }

  get(name: string): WebhookSource | undefined {
    return this.byName.get(name);
  }

  list(): WebhookSource[] {
    return [...this.byName.values()];
  }

  get dedupeWindowMs(): number {
    return this.dedupeDays * 86_400_000;
  }
}
