import { z } from 'zod';

/** Source names appear in URLs, metric labels and workflow files (`trigger.source`). */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'must be "whsec_" followed by base64', abort: true })
  // The Standard Webhooks spec recommends secrets of 24 to 64 random bytes.
  .refine((s) => Buffer.from(s.slice('whsec_'.length), 'base64').length >= 24, 'must decode to at least 24 bytes');

const rateLimit = z
  .object({
    perSecond: z.number().positive(),
    burst: z.number().int().min(1),
  })
  .strict();

const limits = {
  /** Allowed distance between `webhook-timestamp` and the server clock, either way. */
  toleranceSeconds: z.number().int().min(1).max(86_400),
  maxBodyBytes: z.number().int().min(1),
  rateLimit,
};

const source = z
  .object({
    /** Several during a rotation: a request signed with any of them is accepted. */
    secrets: z.array(secret).min(1),
    /**
     * With `orgId`, the body is the trigger payload itself (what a third-party sender posts);
     * without it, the body is `{ "orgId": ..., "payload": {...} }` like `POST /workflows/:id/runs`.
     */
    orgId: z.string().min(1).optional(),
    /**
     * Without `orgId`: the organisations the signed body may name. A sender holding this source's
     * secret can start runs for these and no other, whatever it signs.
     */
    orgIds: z.array(z.string().min(1)).min(1).optional(),
    toleranceSeconds: limits.toleranceSeconds.optional(),
    maxBodyBytes: limits.maxBodyBytes.optional(),
    rateLimit: limits.rateLimit.optional(),
  })
  .strict()
  .refine((s) => (s.orgId === undefined) !== (s.orgIds === undefined), {
    message:
      'give orgId (the one organisation the source posts for) or orgIds (the organisations its body may name), not both and not neither',
  });

export const webhookSourcesFileSchema = z
  .object({
    /** How long a webhook id is remembered: a redelivery within the window is answered as a duplicate. */
    dedupeDays: z.number().positive().max(365).default(7),
    defaults: z
      .object({
        toleranceSeconds: limits.toleranceSeconds.default(300),
        maxBodyBytes: limits.maxBodyBytes.default(256 * 1024),
        rateLimit: rateLimit.default({ perSecond: 50, burst: 200 }),
      })
      .strict()
      .prefault({}),
    dispatcher: z
      .object({
        batchSize: z.number().int().min(1).max(1000).default(50),
        /** Safety net for rows committed by a process that stopped before dispatching them. */
        pollIntervalMs: z.number().int().min(10).default(1000),
        /** A claimed row not finished within the lease (a crashed dispatcher) is claimed again. */
        leaseSeconds: z.number().int().min(1).default(60),
        maxAttempts: z.number().int().min(1).default(20),
        /**
         * Longest the dispatcher waits, before each batch, for a lull in incoming webhooks:
         * acknowledgements go first during a burst. 0 never waits.
         */
        yieldToIntakeMs: z.number().int().min(0).max(10_000).default(250),
      })
      .strict()
      .prefault({}),
    // Names are checked by WebhookSources.parse: zod reports a bad record key without the reason.
    sources: z.record(z.string(), source).default({}),
  })
  .strict();

export type WebhookSourcesFile = z.infer<typeof webhookSourcesFileSchema>;
