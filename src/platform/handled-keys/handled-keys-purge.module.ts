import { type DynamicModule, Module } from '@nestjs/common';
import { HANDLED_KEYS_OPTIONS } from './constants.js';
import type { HandledKeysConfig } from './handled-keys.config.js';
import { HandledKeysPurge } from './handled-keys-purge.js';
import { HandledKeys } from './handled-keys.js';

/**
 * The purge of old marks, configured once by the application: one {@link HandledKeysPurge}
 * per process. Apart from {@link HandledKeysModule}, which pipelines import without settings.
 */
@Module({})
export class HandledKeysPurgeModule {
  static forRoot(options: HandledKeysConfig): DynamicModule {
    return {
      module: HandledKeysPurgeModule,
      providers: [
        { provide: HANDLED_KEYS_OPTIONS, useValue: options },
        HandledKeys,
        HandledKeysPurge,
      ],
    };
  }
}
