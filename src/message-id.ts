/**
 * The message ID of an idempotent send, the primary key that makes a retried send deliver once. It must be a
 * one-to-one function of (idempotency key, destination): two different sends sharing an ID would leave the second
 * acknowledged but never stored.
 *
 * Both DBOS SDKs (TypeScript and Python) write `<key>::<destination>`. That is ambiguous once the key holds a colon:
 * (`k`, `b::c`) and (`k::b`, `c`) both give `k::b::c`. For a key without any colon it is not: the first colon
 * starts the separator. So:
 * - a key without `:` keeps the SDKs' ID, so a send retried through either SDK still delivers once;
 * - any other key gets `edge:<length>:<key>::<destination>` (length in UTF-16 code units), which decodes one way
 *   only and never equals an SDK-format ID (whose first colon is always followed by another).
 */
export function idempotentMessageID(key: string, destinationID: string): string {
  return key.includes(':') ? `edge:${key.length}:${key}::${destinationID}` : `${key}::${destinationID}`;
}
