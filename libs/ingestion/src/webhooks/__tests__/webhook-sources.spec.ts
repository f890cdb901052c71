import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebhookSources, WebhookSourcesError } from '../webhook-sources.util';

const EXAMPLE = resolve(__dirname, '../../../../../config/webhook-sources.example.yaml');
const secret = (bytes = 32) => `whsec_${randomBytes(bytes).toString('base64')}`;

describe(WebhookSources.name, () => {
  it('loads the committed example, with defaults applied per source', () => {
    const sut = WebhookSources.fromFile(EXAMPLE);

    expect(sut.list().map((s) => s.name)).toEqual(['refund-form', 'support-form', 'lead-form']);
    expect(sut.dedupeDays).toBe(7);
    expect(sut.get('refund-form')).toMatchObject({
      orgId: null,
      orgIds: ['acme', 'globex'],
      toleranceSeconds: 300,
      maxBodyBytes: 262144,
      rateLimit: { perSecond: 50, burst: 200 },
    });
    expect(sut.get('refund-form')!.keys).toHaveLength(2);
    expect(sut.get('lead-form')).toMatchObject({ orgId: 'acme', maxBodyBytes: 16384, rateLimit: { perSecond: 10, burst: 50 } });
    // The example's secrets say what they are when decoded.
    expect(sut.get('support-form')!.keys[0].toString()).toMatch(/not-a-secret/);
  });

  it('reads JSON as well as YAML, with every default when a section is left out', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-sources-')), 'sources.json');
    writeFileSync(file, JSON.stringify({ sources: { hooks: { orgIds: ['acme'], secrets: [secret()] } } }));

    const sut = WebhookSources.fromFile(file);

    expect(sut.dedupeWindowMs).toBe(7 * 86_400_000);
    expect(sut.dispatcher).toEqual({ batchSize: 50, pollIntervalMs: 1000, leaseSeconds: 60, maxAttempts: 20, yieldToIntakeMs: 250 });
    expect(sut.get('hooks')).toMatchObject({ toleranceSeconds: 300, maxBodyBytes: 256 * 1024, rateLimit: { perSecond: 50, burst: 200 } });
  });

  it('refuses a bad file naming every problem with its path', () => {
    const parse = () =>
      WebhookSources.parse(
        {
          dedupeDays: 0,
          sources: {
            'Bad Name': { secrets: [secret()] },
            short: { secrets: [secret(8)] },
            plain: { secrets: ['hunter2'] },
            none: { secrets: [] },
            typo: { secrets: [secret()], rateLimt: { perSecond: 1, burst: 1 } },
          },
        },
        'sources.yaml',
      );

    expect(parse).toThrow(WebhookSourcesError);
    const problems = (() => {
      try {
        parse();
      } catch (error) {
        return (error as WebhookSourcesError).problems;
      }
      return [];
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^dedupeDays: /),
        expect.stringMatching(/^sources\.Bad Name: source names are lower-case/),
        'sources.short.secrets.0: must decode to at least 24 bytes',
        'sources.plain.secrets.0: must be "whsec_" followed by base64',
        expect.stringMatching(/^sources\.none\.secrets: /),
        expect.stringMatching(/^sources\.typo: Unrecognized key: "rateLimt"/),
      ]),
    );
  });

  it('refuses a tolerance as long as the dedupe window, which would let a replay through', () => {
    expect(() =>
      WebhookSources.parse({ dedupeDays: 0.5, sources: { s: { orgId: 'acme', secrets: [secret()], toleranceSeconds: 86_400 } } }, 'f'),
    ).toThrow(/sources\.s\.toleranceSeconds: must be shorter than the dedupe window/);
  });

  it('binds a source to its organisations: a fixed orgId, or the orgIds its signed body may name', () => {
    const sut = WebhookSources.parse(
      { sources: { fixed: { orgId: 'acme', secrets: [secret()] }, shared: { orgIds: ['acme', 'globex'], secrets: [secret()] } } },
      'f',
    );

    expect(sut.get('fixed')).toMatchObject({ orgId: 'acme', orgIds: ['acme'] });
    expect(sut.get('shared')).toMatchObject({ orgId: null, orgIds: ['acme', 'globex'] });
    for (const bad of [{ secrets: [secret()] }, { orgId: 'acme', orgIds: ['acme'], secrets: [secret()] }]) {
      expect(() => WebhookSources.parse({ sources: { s: bad } }, 'f')).toThrow(
        /sources\.s: give orgId .* or orgIds .*, not both and not neither/,
      );
    }
  });

  it('names a missing or unreadable file', () => {
    expect(() => WebhookSources.fromFile('/nowhere/sources.yaml')).toThrow(
      '/nowhere/sources.yaml: invalid webhook sources\n  the file does not exist',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'baton-sources-')), 'sources.yaml');
    writeFileSync(file, 'sources: [unclosed');
    expect(() => WebhookSources.fromFile(file)).toThrow(/not valid YAML or JSON/);
  });

  it('prefers inline sources, then the file option; with neither, accepts no source (the environment is the apps’ to read)', () => {
    const inline = WebhookSources.load({
      config: { sources: { a: { orgId: 'acme', secrets: [secret()] } } },
      sourcesFile: '/nowhere.yaml',
    });
    expect(inline.list().map((s) => s.name)).toEqual(['a']);
    expect(WebhookSources.load({ sourcesFile: EXAMPLE }).list()).toHaveLength(3);
    const previous = process.env['BATON_WEBHOOK_SOURCES'];
    process.env['BATON_WEBHOOK_SOURCES'] = EXAMPLE;
    try {
      expect(WebhookSources.load({}).list()).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env['BATON_WEBHOOK_SOURCES'];
      else process.env['BATON_WEBHOOK_SOURCES'] = previous;
    }
  });
});
