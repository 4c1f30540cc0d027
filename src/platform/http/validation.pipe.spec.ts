import { BadRequestException } from '@nestjs/common';
import { IsInt, IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { EventBatch } from '../event-bus/event-batch.js';
import { createValidationPipe } from './validation.pipe.js';

class Reading {
  @IsString() sensor!: string;
  @IsInt() value!: number;
}

const body = { type: 'body' as const, metatype: Reading };

describe('the validation pipe', () => {
  const pipe = createValidationPipe();

  it('validates a request body into its class, refusing unknown properties', async () => {
    const valid = await pipe.transform({ sensor: 'a', value: 1 }, body);
    expect(valid).toBeInstanceOf(Reading);
    await expect(pipe.transform({ sensor: 'a', value: 'high' }, body)).rejects.toBeInstanceOf(
      BadRequestException,
    );
    await expect(pipe.transform({ sensor: 'a', value: 1, extra: true }, body)).rejects.toThrow(
      BadRequestException,
    );
  });

  it('leaves a trigger payload the bus already validated alone (Nest passes it as a body too)', async () => {
    // The bus hands a trigger an instance of its payload class; the pipe does not check it again.
    const payload = Object.assign(new Reading(), { sensor: 'a', value: 1 });
    expect(await pipe.transform(payload, body)).toBe(payload);
    const batch = new EventBatch([]);
    expect(await pipe.transform(batch, { type: 'body', metatype: EventBatch })).toBe(batch);
  });
});
