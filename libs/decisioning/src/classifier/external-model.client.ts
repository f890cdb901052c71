import type { ClassifierReading } from '../decide-run/decision-engine.util';

export interface ExternalModelOptions {
  /** Base URL of an OpenAI-compatible API, e.g. https://llm.example/v1 (the client adds /chat/completions). */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

/**
 * A classifier behind an OpenAI-compatible chat-completions endpoint: asked to choose one of the
 * workflow's labels and say how sure it is, answering JSON. Its confidence is the model's own,
 * not calibrated here — so workflows using it should set their thresholds, and calibration from
 * decision history (GET /classifiers/:id/calibration) tells how far to trust it. Anything other
 * than a well-formed answer naming one of the labels is an error: the caller then asks a person.
 */
export class ExternalModelClient {
  constructor(private readonly options: ExternalModelOptions) {}

  async classify(text: string, labels: readonly string[]): Promise<ClassifierReading> {
    const response = await fetch(`${this.options.url.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      body: JSON.stringify({
        model: this.options.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          {
            role: 'system',
            content:
              `Classify the user's text into exactly one of these labels: ${labels.map((l) => JSON.stringify(l)).join(', ')}. ` +
              'Answer only JSON: {"label": <one of the labels>, "confidence": <probability 0..1 that the label is right>}.',
          },
          { role: 'user', content: text },
        ],
      }),
    });
    if (!response.ok) throw new Error(`external model answered HTTP ${response.status}`);
    const body = (await response.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('external model answered without message content');
    let answer: { label?: unknown; confidence?: unknown };
    try {
      answer = JSON.parse(content);
    } catch {
      throw new Error(`external model did not answer JSON: ${content.slice(0, 200)}`);
    }
    if (typeof answer.label !== 'string' || !labels.includes(answer.label)) {
      throw new Error(`external model chose ${JSON.stringify(answer.label)}, not one of the workflow's labels`);
    }
    const confidence = typeof answer.confidence === 'number' && answer.confidence >= 0 && answer.confidence <= 1 ? answer.confidence : 0;
    return {
      modelId: `external:${this.options.model}`,
      version: 1,
      label: answer.label,
      confidence,
      ranking: [{ label: answer.label, p: confidence }],
    };
  }
}
