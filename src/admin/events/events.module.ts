import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module.js';
import { DeadLettersController } from './dead-letters.controller.js';
import { EventCatalogue } from './event-catalogue.js';
import { EventsController } from './events.controller.js';

/** Events and dead letters: inspect streams, replay or delete dead letters, publish test events. */
@Module({
  imports: [DiscoveryModule, AuditModule],
  controllers: [EventsController, DeadLettersController],
  providers: [EventCatalogue],
})
export class AdminEventsModule {}
