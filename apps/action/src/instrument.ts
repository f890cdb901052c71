// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadActionEnv } from './config/action.env';

initTracing({ serviceName: 'action', otlpEndpoint: loadActionEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
