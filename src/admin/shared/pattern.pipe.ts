import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** Accepts a path parameter only when it matches `pattern`; 400 with the field otherwise. */
export class MatchesPipe implements PipeTransform<string, string> {
  constructor(
    private readonly field: string,
    private readonly pattern: RegExp,
    private readonly maxLength = 200,
  ) {}

  transform(value: string): string {
    if (typeof value !== 'string' || value.length > this.maxLength || !this.pattern.test(value)) {
      throw new BadRequestException({
        message: 'the request is not valid',
        code: 'validation-failed',
        errors: [{ field: this.field, message: `${this.field} is not a valid identifier` }],
      });
    }
    return value;
  }
}
