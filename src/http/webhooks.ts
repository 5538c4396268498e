/**
 * Webhook routes: `POST /v1/webhooks/{name}` (and `/v1/webhooks/{name}/{workflowID}` for a `send` webhook
 * without a fixed destination). The signature is checked before anything is parsed or written; a bad one, a
 * missing one or a stale Standard Webhooks timestamp is a 401. The delivery ID (`webhook-id`, or
 * `X-GitHub-Delivery`) is the idempotency key of the effect, so a provider's retries deliver once:
 *
 * - send: the message's idempotency key is `webhook:<name>:<deliveryID>`;
 * - enqueue: the workflow ID is `webhook:<name>:<deliveryID>`, called with `(payload, { webhook, deliveryID })`.
 *
 * The payload is the body parsed as JSON, or the body as text when it is not JSON.
 */
import { DBOSEdgeError } from '../errors.ts';
import type { WebhookConfig } from './config.ts';
import { jsonResponse } from './json.ts';
import { problem, problemResponse } from './problem.ts';
import { type AnyRoute, type RouteInput, route } from './route.ts';
import { type RequestSchemas, WebhookResultSchema } from './schemas.ts';
import { verifyGithubWebhook, verifyStandardWebhook } from './signatures.ts';

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

const notFound = () =>
  problemResponse(problem(404, 'not-found', 'Webhook not found', { detail: 'No webhook is configured here' }));

export function webhookRoutes(s: RequestSchemas, webhooks: Record<string, WebhookConfig>): AnyRoute[] {
  const handle = async (
    { c, client, now, rawBody: bytes }: RouteInput<unknown, unknown, unknown>,
    name: string,
    pathWorkflowID: string | undefined,
  ): Promise<Response> => {
    const hook = Object.hasOwn(webhooks, name) ? webhooks[name] : undefined;
    if (!hook) return notFound();
    const fixed = hook.send?.workflowID;
    // A send webhook takes its destination from the configuration or from the path, never both, never neither.
    if (hook.send ? (fixed === undefined) === (pathWorkflowID === undefined) : pathWorkflowID !== undefined) {
      return notFound();
    }
    const header = (n: string) => c.req.header(n);
    const verified =
      hook.verify === 'github'
        ? await verifyGithubWebhook(hook.secret, header, bytes)
        : await verifyStandardWebhook(
            hook.secret,
            header,
            bytes,
            now(),
            hook.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
          );
    if (!verified.ok) {
      return problemResponse(problem(401, 'unauthorized', 'Invalid webhook signature', { detail: verified.reason }));
    }
    const text = new TextDecoder().decode(bytes);
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Not JSON: the text itself is the payload.
    }
    const key = deliveryKey(name, verified.deliveryID);
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
      problems: [404, 409],
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
      problems: [404],
      handler: (input) => handle(input, input.params.name, input.params.workflowID),
    }),
  ];
}
