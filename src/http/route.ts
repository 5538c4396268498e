/**
 * A route, described once: method, path, who may call it, its valibot schemas (path, query, body) and responses.
 * The router registers it and validates with the schemas; `openapi.ts` documents it from the same description.
 */
import type { Context } from 'hono';
import type * as v from 'valibot';
import type { DBOSClient } from '../client.ts';
import type { Limits } from './config.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** `read` and `full` need a bearer token of that scope; `public` is open; `signature` is a verified webhook. */
export type Access = 'read' | 'full' | 'public' | 'signature';

type Schema = v.GenericSchema;
type Out<S> = S extends Schema ? v.InferOutput<S> : undefined;
type In<S> = S extends Schema ? v.InferInput<S> : undefined;

/** A named example (OpenAPI 3.1 Example Object), shown on /docs and checked against its schema by the tests. */
export interface Example<T = unknown> {
  readonly summary: string;
  readonly value: T;
}
/** Examples by name (the key names it in the OpenAPI document). */
export type Examples<T = unknown> = Readonly<Record<string, Example<T>>>;

export interface RouteInput<P, Q, B> {
  readonly c: Context;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The request body as received (read within the size limit); empty for routes that take none. */
  readonly rawBody: Uint8Array;
  readonly limits: Limits;
  /** The request's client (created on first use when the app has a per-request factory). */
  client(): Promise<DBOSClient>;
  /**
   * Keeps a per-request client alive past the handler (for a streamed response); returns the function that
   * releases it when the stream ends.
   */
  keepClient(): () => Promise<void>;
  /** The clock (injectable for tests). */
  now(): number;
  /** Takes one of the process's wait slots for a long poll or a stream (503 when none is left); returns its release. */
  waitSlot(): () => void;
}

export interface ResponseDoc {
  readonly description: string;
  readonly schema?: Schema;
  /** Default `application/json`. */
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  /** Example answers; the OpenAPI test validates each against `schema`. */
  readonly examples?: Examples;
}

export interface RouteSpec<PS, QS, BS> {
  readonly method: Method;
  /** OpenAPI-style path, `/v1/workflows/{workflowID}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: PS;
  readonly query?: QS;
  readonly body?: BS;
  /** An absent or empty body counts as `{}` (action routes whose options are all optional). */
  readonly bodyOptional?: boolean;
  /** Example request bodies, typed by `body` (the OpenAPI test also validates them with it). */
  readonly bodyExamples?: Examples<NoInfer<In<BS>>>;
  /** Request headers the route reads (documentation). */
  readonly headers?: readonly { name: string; description: string; required?: boolean }[];
  readonly responses: Record<number, ResponseDoc>;
  /** Problem statuses besides the common ones (400, 401, 403, 413, 500). */
  readonly problems?: readonly number[];
  readonly handler: (input: RouteInput<Out<PS>, Out<QS>, Out<BS>>) => Promise<Response>;
}

export type AnyRoute = RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>;

/** Types a route's handler by its schemas. */
export function route<
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  BS extends Schema | undefined = undefined,
>(spec: RouteSpec<PS, QS, BS>): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** `/v1/workflows/{workflowID}` as Hono writes it: `/v1/workflows/:workflowID`. */
export function honoPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}
