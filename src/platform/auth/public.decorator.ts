import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_ROUTE_EXTENSION, PUBLIC_ROUTE_METADATA } from './constants.js';

/** The route (or every route of the controller) needs no credentials: health, metrics. */
export const Public = () =>
  applyDecorators(
    SetMetadata(PUBLIC_ROUTE_METADATA, true),
    ApiExtension(PUBLIC_ROUTE_EXTENSION, true),
  );
