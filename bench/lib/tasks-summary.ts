/** The tasks phase's table and target verdicts (issue 16). */
import type { TasksResult } from '../scenarios/tasks.ts';
import { mib, num, table, verdict, type TargetCheck } from './report.ts';

export function tasksTargets(x: TasksResult): TargetCheck[] {
  const count = (target: string, done: number, of: number): TargetCheck => ({
    target,
    measured: `${done}/${of}`,
    goal: `= ${of}`,
    value: done,
    verdict: done === of ? 'MET' : 'MISSED',
  });
  return [
    {
      target: 'task creation: added p50 over a plain tools/call of the same tool',
      measured: `${num(x.creation.addedP50Ms, 2)} ms`,
      goal: '<= 2 ms',
      value: x.creation.addedP50Ms,
      verdict: verdict(x.creation.addedP50Ms, 2, true),
    },
    count(`${x.open.tasks} open tasks on one gateway and one node: completed`, x.open.completed, x.open.tasks),
    count(
      `SIGKILL of the creating gateway under ${x.failover.tasks} running tasks: completed via another replica`,
      x.failover.completedViaOther,
      x.failover.tasks,
    ),
  ];
}

function notCompleted(others: Record<string, number>): string {
  const seen = Object.entries(others);
  return seen.length === 0 ? '' : `; not completed: ${seen.map(([status, n]) => `${n} ${status}`).join(', ')}`;
}

export function tasksTable(x: TasksResult): string {
  return table(
    ['measure', 'value'],
    [
      [
        `plain tools/call vs task creation, sequential, ${x.creation.samples} each: p50 / p99`,
        `${num(x.creation.plain.p50, 2)} / ${num(x.creation.plain.p99, 2)} ms vs ${num(x.creation.task.p50, 2)} / ${num(x.creation.task.p99, 2)} ms`,
      ],
      [
        `${x.open.tasks} open tasks: created / completed / lost`,
        `${x.open.created} / ${x.open.completed} / ${x.open.lost} (created in ${num(x.open.createSec, 1)} s)${notCompleted(x.open.notCompleted)}`,
      ],
      [
        'gateway RSS idle -> with the tasks open',
        `${mib(x.open.gatewayRssIdleBytes)} -> ${mib(x.open.gatewayRssOpenBytes)}`,
      ],
      ['node RSS idle -> with the tasks open', `${mib(x.open.nodeRssIdleBytes)} -> ${mib(x.open.nodeRssOpenBytes)}`],
      ['RSS per open task (gateway + node)', `${num(x.open.perOpenTaskBytes)} bytes`],
      [
        `creating gateway SIGKILLed under ${x.failover.tasks} running tasks`,
        `${x.failover.completedViaOther}/${x.failover.created} completed via the other replica, all ended ${num(x.failover.allDoneAfterKillMs)} ms after the kill${notCompleted(x.failover.notCompleted)}`,
      ],
    ],
  );
}
