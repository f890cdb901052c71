// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadReconciliationEnv } from './config/reconciliation.env';

initTracing({ serviceName: 'reconciliation', otlpEndpoint: loadReconciliationEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
