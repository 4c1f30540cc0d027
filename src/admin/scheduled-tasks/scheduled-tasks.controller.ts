import { Body, Controller, Get, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../platform/auth/index.js';
import { ApiProblemResponse } from '../../platform/http/index.js';
import { type RecurringTask, recurringTasksOf } from '../../platform/scheduling/index.js';
import { Audited } from '../audit/audited.decorator.js';
import { RunRequest, ScheduledTaskView } from './scheduled-tasks.dto.js';

/** Tasks whose name says they reprocess; the others (e.g. extraction resumers) run only on schedule. */
const isReprocessing = (task: RecurringTask) => task.name.includes('reprocess');

// The route, tag and class name stay those of reprocessing, its first use: they are the public
// API (the class name prefixes the OpenAPI operation ids).
@ApiTags('admin: reprocessing')
@Roles('operator')
@Controller('admin/reprocessing')
export class ReprocessingController {
  constructor(private readonly scheduler: SchedulerRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'The scheduled tasks of this process (reprocessors among them) and their latest runs',
  })
  @ApiOkResponse({ type: [ScheduledTaskView] })
  schedule(): ScheduledTaskView[] {
    return recurringTasksOf(this.scheduler).map(view);
  }

  @Post('run')
  @HttpCode(200)
  @Audited('reprocessing.run', 'reprocessing')
  @ApiOperation({
    summary:
      'Run reprocessing now (every reprocessing task, or the one named) and answer when the run is over',
  })
  @ApiOkResponse({ type: [ScheduledTaskView] })
  @ApiProblemResponse(404, 'No such task runs in this process', 'task-not-found')
  async run(@Body() body: RunRequest): Promise<ScheduledTaskView[]> {
    const tasks = recurringTasksOf(this.scheduler).filter((t) =>
      body.task ? t.name === body.task : isReprocessing(t),
    );
    if (tasks.length === 0) {
      throw new NotFoundException({
        message: body.task
          ? `no task '${body.task}' runs in this process`
          : 'no reprocessing task runs in this process',
        code: 'task-not-found',
      });
    }
    await Promise.all(tasks.map((task) => task.runOnce('manual')));
    return tasks.map(view);
  }
}

function view(task: RecurringTask): ScheduledTaskView {
  return {
    name: task.name,
    everyMs: task.everyMs,
    running: task.isRunning,
    lastRuns: task.lastRuns(),
  };
}
