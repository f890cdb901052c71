// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadConsoleEnv } from './config/console.env';

initTracing({ serviceName: 'console', otlpEndpoint: loadConsoleEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
