/**
 * The option types of the public API are written out (src/option-types.ts, src/http/config-types.ts) so JSR and
 * readers need no inference. Each must stay exactly its schema's type: `npm run typecheck` checks these
 * assertions, so a field added to a schema and not to its type (or the reverse) fails it.
 */
import type * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import type * as Config from '../../src/http/config.ts';
import type { AppConfig, WebhookConfig } from '../../src/http/config-types.ts';
import type * as Manage from '../../src/manage.ts';
import type * as Types from '../../src/option-types.ts';
import type * as Schemas from '../../src/options.ts';
import type * as Queued from '../../src/queued.ts';
import type * as Queues from '../../src/queues.ts';
import type * as Rename from '../../src/rename.ts';

/** An object type with intersections merged, so `A & B` compares equal to the same fields written at once. */
type Flat<T> = { [K in keyof T]: T[K] };
type In<S extends v.GenericSchema> = Flat<v.InferInput<S>>;

describe('the written-out option types', () => {
  it('equal the input types of their schemas', () => {
    expectTypeOf<Types.EnqueueOptions>().toEqualTypeOf<
      Omit<In<typeof Schemas.EnqueueOptionsSchema>, 'maxRecoveryAttempts'>
    >();
    expectTypeOf<Types.ListWorkflowsInput>().toEqualTypeOf<In<typeof Schemas.ListWorkflowsSchema>>();
    expectTypeOf<Types.ListStepsOptions>().toEqualTypeOf<In<typeof Schemas.StepsOptionsSchema>>();
    expectTypeOf<Types.ForkOptions>().toEqualTypeOf<In<typeof Schemas.ForkOptionsSchema>>();
    expectTypeOf<Types.WaitOptions>().toEqualTypeOf<In<typeof Schemas.WaitOptionsSchema>>();
    expectTypeOf<Types.ResumeOptions>().toEqualTypeOf<In<typeof Schemas.ResumeOptionsSchema>>();
    expectTypeOf<Types.CancelOptions>().toEqualTypeOf<In<typeof Schemas.CancelOptionsSchema>>();
    expectTypeOf<Types.Message>().toEqualTypeOf<In<typeof Schemas.MessageSchema>>();
    expectTypeOf<Types.SendOptions>().toEqualTypeOf<In<typeof Schemas.SendOptionsSchema>>();
    expectTypeOf<Flat<Types.GetEventOptions>>().toEqualTypeOf<In<typeof Schemas.GetEventOptionsSchema>>();
    expectTypeOf<Flat<Types.ReadStreamOptions>>().toEqualTypeOf<In<typeof Schemas.ReadStreamOptionsSchema>>();
    expectTypeOf<Flat<Types.ListPageInput>>().toEqualTypeOf<In<typeof Schemas.ListPageSchema>>();
    expectTypeOf<Types.BulkOptions>().toEqualTypeOf<In<typeof Schemas.BulkOptionsSchema>>();
    expectTypeOf<Types.EnqueueItem>().toEqualTypeOf<
      Flat<Omit<In<typeof Schemas.EnqueueItemSchema>, 'options'> & { options: Types.EnqueueOptions }>
    >();
    expectTypeOf<Flat<Types.ScheduleInput>>().toEqualTypeOf<In<typeof Schemas.ScheduleSchema>>();
    expectTypeOf<Types.ScheduleUpdate>().toEqualTypeOf<In<typeof Schemas.ScheduleUpdateSchema>>();
    expectTypeOf<Types.ListSchedulesInput>().toEqualTypeOf<In<typeof Schemas.ListSchedulesSchema>>();
    expectTypeOf<Types.BackfillOptions>().toEqualTypeOf<In<typeof Schemas.BackfillOptionsSchema>>();
    expectTypeOf<Types.TickOptions>().toEqualTypeOf<In<typeof Schemas.TickOptionsSchema>>();
    expectTypeOf<Flat<Types.ReadStreamOffsetOptions>>().toEqualTypeOf<
      In<typeof Schemas.ReadStreamOffsetOptionsSchema>
    >();
    expectTypeOf<Flat<Types.SchedulerApp>>().toEqualTypeOf<In<typeof Schemas.SchedulerAppSchema>>();
    expectTypeOf<Types.RewindOptions>().toEqualTypeOf<In<typeof Manage.RewindOptionsSchema>>();
    expectTypeOf<Types.SetDelayTarget>().toEqualTypeOf<In<typeof Queued.SetDelaySchema>>();
    expectTypeOf<Types.RenameOptions>().toEqualTypeOf<In<typeof Rename.RenameOptionsSchema>>();
    expectTypeOf<Flat<Types.RegisterQueueOptions>>().toEqualTypeOf<
      Omit<In<typeof Queues.RegisterQueueSchema>, 'priorityEnabled' | 'partitionQueue'>
    >();
    expectTypeOf<Types.QueueUpdate>().toEqualTypeOf<In<typeof Queues.QueueUpdateSchema>>();
  });

  it('equal the service configuration the schemas accept', () => {
    expectTypeOf<WebhookConfig>().toEqualTypeOf<v.InferOutput<typeof Config.webhookSchemaInferred>>();
    expectTypeOf<AppConfig>().toEqualTypeOf<In<typeof Config.appConfigSchemaInferred>>();
  });
});
