// Tools the tasks phase of the bench drives through `easyremote node`: one answers at once, one
// holds its task open for as long as it is asked. Both may run as tasks; for a client that does not
// declare tasks they are plain calls, which is what task creation is compared against.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTool } from '@easyremote/node-sdk';
import { Type } from 'typebox';

export const tools = [
  defineTool({
    name: 'bench_task_echo',
    description: 'Returns its text; a task for clients that declare tasks',
    input: Type.Object({ text: Type.String({ maxLength: 1024 }) }),
    task: { support: 'optional' },
    handler: ({ text }) => text,
  }),
  defineTool({
    name: 'bench_task_sleep',
    description: 'Sleeps for ms milliseconds, then returns its label',
    input: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 600_000 }), label: Type.String() }),
    timeoutMs: 900_000,
    task: { support: 'optional' },
    handler: async ({ ms, label }, ctx) => {
      await sleep(ms, undefined, { signal: ctx.signal });
      return label;
    },
  }),
];

export default tools;
