/** Injection token of the webhook options an app passes to `IngestionModule.forRoot`. */
export const WEBHOOK_OPTIONS = Symbol('WEBHOOK_OPTIONS');

export interface WebhookOptions {
  /** YAML or JSON file of webhook sources (see config/webhook-sources.example.yaml). */
  sourcesFile?: string;
  /** The content of such a file as an object, instead of the file (tests, embedding). */
  config?: unknown;
}
