import { BadRequestException, type PipeTransform } from '@nestjs/common';

/**
 * Accepts a path or query parameter only when it matches `pattern`; 400 with the field
 * otherwise. An optional one may be absent (undefined), never empty.
 */
export class MatchesPipe implements PipeTransform<string | undefined, string | undefined> {
  constructor(
    private readonly field: string,
    private readonly pattern: RegExp,
    private readonly maxLength = 200,
    private readonly options: { optional?: boolean } = {},
  ) {}

  transform(value: string | undefined): string | undefined {
    if (value === undefined && this.options.optional) return undefined;
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
