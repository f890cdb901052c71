// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadStandaloneEnv } from './config/standalone.env';

initTracing({ serviceName: 'standalone', otlpEndpoint: loadStandaloneEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
