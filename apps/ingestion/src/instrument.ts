// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadIngestionEnv } from './config/ingestion.env';

initTracing({ serviceName: 'ingestion', otlpEndpoint: loadIngestionEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
