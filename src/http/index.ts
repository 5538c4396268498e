/** dbos-edge's HTTP service: a Hono router over `DBOSClient`, shared by the Node entry and the edge entries. */
export { type CreateAppOptions, createApp, type LogEntry, type Logger, routeTable } from './app.ts';
export { type ApiToken, type Scope, TokenVerifier } from './auth.ts';
export {
  type AppConfig,
  AppConfigSchema,
  configFromEnv,
  DEFAULT_LIMITS,
  type EnvConfig,
  type Limits,
  parseSchedulerApp,
  parseTokens,
  type WebhookConfig,
  WebhookSchema,
} from './config.ts';
export { type DocsAuth, docsPage, jsonSchemaOf, openApiDocument } from './openapi.ts';
export { PROBLEM_TYPE, type Problem, problemFromError } from './problem.ts';
export {
  destinationWebhookSecret,
  signGithubWebhook,
  signStandardWebhook,
  verifyGithubWebhook,
  verifyStandardWebhook,
} from './signatures.ts';
export { deliveryKey } from './webhooks.ts';
