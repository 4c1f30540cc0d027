import {
  type ArgumentMetadata,
  BadRequestException,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import type { FieldError } from './problem-details.js';

/**
 * Validates what HTTP brings. The pipe also runs on event triggers (the bus server inherits
 * the app's configuration), where a trigger's `@Payload()` looks like a body: Nest numbers
 * both 3. The bus hands a trigger its payload already validated into the declared class (or
 * an `EventBatch` of them) and dead-letters an invalid one, so a value already of the declared
 * class is left alone. A request body is parsed JSON, never an instance of a class.
 */
class HttpValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (typeof metadata.metatype === 'function' && value instanceof metadata.metatype) return value;
    return super.transform(value, metadata);
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
