/**
 * Webhook routes: `POST /v1/webhooks/{name}` (and `/v1/webhooks/{name}/{workflowID}` for a `send` webhook
 * without a fixed destination). The signature is checked before anything is parsed or written; a bad one, a
 * missing one, a stale Standard Webhooks timestamp, an unknown webhook name or a path the webhook does not take
 * are all the same 401, so names cannot be listed. What the sender signed to identify the delivery (`webhook-id`,
 * or for GitHub, which signs only the body, the body's signature) keys the effect, so retries and replays
 * deliver once:
 *
 * - send: the message's idempotency key is `webhook:<name>:<effectID>`;
 * - enqueue: the workflow ID is `webhook:<name>:<effectID>`, called with `(payload, { webhook, deliveryID })`.
 *
 * A send webhook whose destination is in the path verifies with a secret derived for that workflow
 * (`destinationWebhookSecret`), so a delivery signed for one workflow cannot be replayed to another.
 *
 * The payload is the body parsed as JSON, or the body as text when it is not JSON.
 */
import { DBOSEdgeError } from '../errors.ts';
import type { WebhookConfig } from './config.ts';
import { jsonResponse } from './json.ts';
import { problem, problemResponse } from './problem.ts';
import { type AnyRoute, type RouteInput, route } from './route.ts';
import { type RequestSchemas, WebhookResultSchema } from './schemas.ts';
import { destinationWebhookSecret, verifyGithubWebhook, verifyStandardWebhook } from './signatures.ts';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The idempotency key (send) or workflow ID (enqueue) of a delivery. */
export const deliveryKey = (name: string, deliveryID: string) => `webhook:${name}:${deliveryID}`;

const HEADERS = [
  { name: 'webhook-id', description: 'Standard Webhooks: the delivery ID' },
  { name: 'webhook-timestamp', description: 'Standard Webhooks: Unix seconds, within 5 minutes of now' },
  { name: 'webhook-signature', description: 'Standard Webhooks: `v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>`' },
  { name: 'X-Hub-Signature-256', description: 'GitHub: `sha256=<hex HMAC-SHA256 of the body>`' },
  { name: 'X-GitHub-Delivery', description: 'GitHub: the delivery ID' },
];

const refused = (reason: string) =>
  problemResponse(problem(401, 'unauthorized', 'Invalid webhook signature', { detail: reason }));

/**
 * What the sender signed that identifies the delivery: the Standard Webhooks `webhook-id`; for GitHub, which signs
 * the body alone, the body's (verified) signature, since its delivery header is not signed.
 */
function effectID(verify: WebhookConfig['verify'], deliveryID: string, header: (name: string) => string | undefined) {
  if (verify !== 'github') return deliveryID;
  return `sha256-${String(header('x-hub-signature-256')).slice('sha256='.length).toLowerCase()}`;
}

export function webhookRoutes(s: RequestSchemas, webhooks: Record<string, WebhookConfig>): AnyRoute[] {
  const handle = async (
    { c, client, now, rawBody: bytes }: RouteInput<unknown, unknown, unknown>,
    name: string,
    pathWorkflowID: string | undefined,
  ): Promise<Response> => {
    const hook = Object.hasOwn(webhooks, name) ? webhooks[name] : undefined;
    // An unknown name answers like a bad signature: which names exist is not for the caller to learn.
    if (!hook) return refused('no valid signature');
    const fixed = hook.send?.workflowID;
    // A send webhook takes its destination from the configuration or from the path, never both, never neither.
    if (hook.send ? (fixed === undefined) === (pathWorkflowID === undefined) : pathWorkflowID !== undefined) {
      return refused('no valid signature');
    }
    const secret =
      pathWorkflowID === undefined
        ? hook.secret
        : await destinationWebhookSecret(hook.verify, hook.secret, pathWorkflowID);
    const header = (n: string) => c.req.header(n);
    const verified =
      hook.verify === 'github'
        ? await verifyGithubWebhook(secret, header, bytes)
        : await verifyStandardWebhook(secret, header, bytes, now(), hook.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
    if (!verified.ok) return refused(verified.reason);
    const text = new TextDecoder().decode(bytes);
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Not JSON: the text itself is the payload.
    }
    const key = deliveryKey(name, effectID(hook.verify, verified.deliveryID, header));
    const dbos = await client();
    if (hook.send) {
      const destination = (fixed ?? pathWorkflowID) as string;
      const { serializationType } = hook.send;
      await dbos.send(
        destination,
        payload,
        hook.send.topic,
        key,
        serializationType ? { serializationType } : undefined,
      );
      return jsonResponse({ deliveryID: verified.deliveryID, workflowID: destination });
    }
    if (!hook.enqueue) throw new DBOSEdgeError('CONFIG', 'webhook has no action');
    const h = await dbos.enqueue({ ...hook.enqueue, workflowID: key }, payload, {
      webhook: name,
      deliveryID: verified.deliveryID,
    });
    return jsonResponse({ deliveryID: verified.deliveryID, workflowID: h.workflowID });
  };

  const description =
    'Verified by the configured scheme (Standard Webhooks or GitHub); the delivery ID makes the effect happen once.';
  return [
    route({
      method: 'post',
      path: '/v1/webhooks/{name}',
      operationId: 'webhook',
      summary: 'Receive a webhook: enqueue a workflow or send a message, as configured',
      description,
      tag: 'webhooks',
      access: 'signature',
      params: s.webhookPath,
      headers: HEADERS,
      responses: { 200: { description: 'Delivered (or already delivered)', schema: WebhookResultSchema } },
      problems: [409],
      handler: (input) => handle(input, input.params.name, undefined),
    }),
    route({
      method: 'post',
      path: '/v1/webhooks/{name}/{workflowID}',
      operationId: 'webhookSend',
      summary: 'Receive a webhook and send it to this workflow',
      description,
      tag: 'webhooks',
      access: 'signature',
      params: s.webhookSendPath,
      headers: HEADERS,
      responses: { 200: { description: 'Delivered (or already delivered)', schema: WebhookResultSchema } },
      handler: (input) => handle(input, input.params.name, input.params.workflowID),
    }),
  ];
}
