import { Module } from '@nestjs/common';
import { HandledKeys } from './handled-keys.js';

/** Import it in a pipeline's module whose triggers handle each business key once. */
@Module({ providers: [HandledKeys], exports: [HandledKeys] })
export class HandledKeysModule {}
