import { Controller, Get, Header, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../platform/auth/index.js';
import { EventBus } from '../../platform/event-bus/index.js';
import { ApiProblemResponse } from '../../platform/http/index.js';
import { Audited } from '../audit/audited.decorator.js';
import { PIPELINE_NAME } from '../shared/identifiers.js';
import { MatchesPipe } from '../shared/pattern.pipe.js';
import { PipelineOverview } from './pipeline-overview.js';
import { PausedView, PipelineView, TopologyView } from './pipelines.dto.js';

const pipelineName = new MatchesPipe('name', PIPELINE_NAME, 100);

@ApiTags('admin: pipelines')
@Roles('operator')
@Controller('admin')
export class PipelinesController {
  constructor(
    private readonly overview: PipelineOverview,
    private readonly bus: EventBus,
  ) {}

  @Get('pipelines')
  @ApiOperation({
    summary:
      'Every pipeline: role, triggers, publishers, subscriptions with pending and lag, live instances',
  })
  @ApiOkResponse({ type: [PipelineView] })
  list(): Promise<PipelineView[]> {
    return this.overview.list();
  }

  @Get('pipelines/:name')
  @ApiOperation({ summary: 'One pipeline' })
  @ApiParam({ name: 'name', example: 'store-receipt' })
  @ApiOkResponse({ type: PipelineView })
  @ApiProblemResponse(404, 'No such pipeline', 'pipeline-not-found')
  async get(@Param('name', pipelineName) name: string): Promise<PipelineView> {
    return this.found(name);
  }

  @Post('pipelines/:name/pause')
  @HttpCode(200)
  @Roles('admin')
  @Audited('pipeline.pause', 'pipeline', 'name')
  @ApiOperation({
    summary:
      'Stop the pipeline taking new events in every process that runs it; events wait in the stream',
  })
  @ApiParam({ name: 'name', example: 'store-receipt' })
  @ApiOkResponse({ type: PausedView })
  @ApiProblemResponse(404, 'No such pipeline', 'pipeline-not-found')
  async pause(@Param('name', pipelineName) name: string): Promise<PausedView> {
    await this.found(name);
    await this.bus.pausePipeline(name);
    return { pipeline: name, paused: true };
  }

  @Post('pipelines/:name/resume')
  @HttpCode(200)
  @Roles('admin')
  @Audited('pipeline.resume', 'pipeline', 'name')
  @ApiOperation({ summary: 'Let a paused pipeline take events again' })
  @ApiParam({ name: 'name', example: 'store-receipt' })
  @ApiOkResponse({ type: PausedView })
  @ApiProblemResponse(404, 'No such pipeline', 'pipeline-not-found')
  async resume(@Param('name', pipelineName) name: string): Promise<PausedView> {
    await this.found(name);
    await this.bus.resumePipeline(name);
    return { pipeline: name, paused: false };
  }

  @Get('topology')
  @ApiOperation({ summary: 'Pipelines and the events between them' })
  @ApiOkResponse({ type: TopologyView })
  topology(): TopologyView {
    return this.overview.topology();
  }

  @Get('topology/mermaid')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The topology as a Mermaid flowchart' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Mermaid text',
    schema: {
      type: 'string',
      example:
        'flowchart LR\n  p_orders["orders"]\n  e_order_placed(["order.placed"])\n  p_orders --> e_order_placed\n',
    },
  })
  mermaid(): string {
    return this.overview.mermaid();
  }

  private async found(name: string): Promise<PipelineView> {
    const view = await this.overview.get(name);
    if (!view)
      throw new NotFoundException({ message: `no pipeline '${name}'`, code: 'pipeline-not-found' });
    return view;
  }
}
