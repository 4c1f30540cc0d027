import { Module } from '@nestjs/common';

/** The operators' API under `/api/v1/admin`. */
@Module({})
export class AdminModule {}
