import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, Roles, ROLES } from '../../platform/auth/index.js';

export class MeView {
  @ApiProperty({
    example: 'alice@example.com',
    description: 'The token subject, API key name or gateway user',
  })
  subject!: string;
  @ApiProperty({ enum: ROLES, isArray: true, example: ['operator'] }) roles!: string[];
  @ApiProperty({
    enum: ['jwt', 'api-key', 'gateway'],
    description: 'Where the identity came from: a bearer JWT, an API key, or the trusted gateway',
  })
  method!: string;
  @ApiProperty({ description: 'Whether the caller may do everything (role admin)' })
  admin!: boolean;
}

/** Who the caller is: the console shows it and hides what the roles may not do. */
@ApiTags('admin: identity')
@Controller('admin/me')
export class MeController {
  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Who the caller is, with which roles, identified how' })
  @ApiOkResponse({ type: MeView })
  me(@CurrentPrincipal() principal: Principal): MeView {
    return {
      subject: principal.subject,
      roles: principal.roles,
      method: principal.method,
      admin: principal.roles.includes('admin'),
    };
  }
}
