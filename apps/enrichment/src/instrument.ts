// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadEnrichmentEnv } from './config/enrichment.env';

initTracing({ serviceName: 'enrichment', otlpEndpoint: loadEnrichmentEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
