// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadDecisioningEnv } from './config/decisioning.env';

initTracing({ serviceName: 'decisioning', otlpEndpoint: loadDecisioningEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
