import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../platform/auth/index.js';
import { AuditTrail } from './audit-trail.js';
import { AuditPage, AuditQuery, AuditRecordView } from './audit.dto.js';

@ApiTags('admin: audit')
@Roles('admin')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly trail: AuditTrail) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail of admin actions, newest first' })
  @ApiOkResponse({ type: AuditPage })
  async list(@Query() query: AuditQuery): Promise<AuditPage> {
    const page = await this.trail.list(
      {
        actor: query.actor,
        action: query.action,
        targetType: query.targetType,
        targetId: query.targetId,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      },
      query,
    );
    return {
      items: page.items.map(AuditRecordView.of),
      total: page.total,
      offset: query.offset,
      limit: query.limit,
    };
  }
}
