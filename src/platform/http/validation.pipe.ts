import {
  type ArgumentMetadata,
  BadRequestException,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import type { FieldError } from './problem-details.js';

/**
 * Validates HTTP arguments only. The app's global pipes also reach event triggers (the bus
 * server inherits the app's configuration), but the bus validates every event payload itself
 * before a trigger runs, with the same rules, and dead-letters an invalid one: a second pass
 * here cost as much CPU again for each event and could never fail.
 */
class HttpValidationPipe extends ValidationPipe {
  protected override toValidate(metadata: ArgumentMetadata): boolean {
    // HTTP parameters are typed 'body' | 'query' | 'param' | 'custom'; a trigger's @Payload() is numeric.
    return typeof metadata.type === 'string' && super.toValidate(metadata);
  }
}

/**
 * Request validation for every route: unknown properties are refused, not silently
 * dropped, and the 400 lists each field at fault.
 */
export function createValidationPipe(): ValidationPipe {
  return new HttpValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new BadRequestException({
        message: 'the request is not valid',
        code: 'validation-failed',
        errors: fieldErrors(errors),
      }),
  });
}

function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}
