/**
 * The service's configuration objects, written out (see src/option-types.ts for why). config.ts holds the valibot
 * schemas that check them; test/unit/option-types.test.ts proves each equals its schema's type.
 */
import type { EnqueueOptions } from '../option-types.ts';
import type { SerializationType } from '../serialization.ts';
import type { Scope } from './auth.ts';

/** A webhook route (`POST /v1/webhooks/{name}`): how deliveries are verified, and what each one does. */
export type WebhookConfig = {
  verify: 'standard-webhooks' | 'github';
  secret: string;
  toleranceSeconds?: number | undefined;
  /** Deliver the payload as a message to a workflow. */
  send?:
    | { workflowID?: string | undefined; topic?: string | undefined; serializationType?: SerializationType | undefined }
    | undefined;
  /** Enqueue a workflow with the payload; its ID comes from the delivery, so a redelivery enqueues nothing new. */
  enqueue?:
    | Omit<EnqueueOptions, 'workflowID' | 'workflowIDReusePolicy' | 'deduplicationID' | 'duplicationPolicy'>
    | undefined;
};

/** `createApp`'s options besides the client: tokens, webhooks and limits. */
export type AppConfig = {
  /** Bearer tokens and what each may do (`ApiToken`, as written). */
  tokens?: { token: string; scope: Scope }[] | undefined;
  insecureDev?: boolean | undefined;
  webhooks?: Record<string, WebhookConfig> | undefined;
  limits?:
    | {
        maxBodyBytes?: number | undefined;
        maxWaitMs?: number | undefined;
        defaultPageSize?: number | undefined;
        maxPageSize?: number | undefined;
        sseKeepAliveMs?: number | undefined;
        maxConcurrentWaits?: number | undefined;
        maxResponseBytes?: number | undefined;
      }
    | undefined;
};
