import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, LessThan, Repository } from 'typeorm';
import { IdempotencyKey } from '../idempotency-key.entity.js';

/** The outcome of presenting a key: go ahead (holding it), or answer what the first request got. */
export type IdempotencyClaim =
  | { kind: 'proceed'; id: string; owner: string }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * `Idempotency-Key` handling, after the IETF draft (draft-ietf-httpapi-idempotency-key-header):
 * the first request with a key takes it (one INSERT on the primary key, so two at once cannot
 * both win); a retry with the same body gets the stored answer; the same key with another
 * body is refused with 422; a retry while the first is still running gets 409. A request
 * that dies holding a key loses it when its lock ends. Only successful answers are stored:
 * a refusal writes nothing, so the client may retry once the cause is gone.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @InjectRepository(IdempotencyKey) private readonly keys: Repository<IdempotencyKey>,
  ) {}

  async claim(scope: string, key: string, hash: string, lockMs: number): Promise<IdempotencyClaim> {
    const id = `${scope}:${key}`;
    const owner = randomUUID();
    const now = new Date();
    const lockedUntil = new Date(now.getTime() + lockMs);
    await this.keys
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKey)
      .values({
        id,
        requestHash: hash,
        status: 'in-progress',
        owner,
        lockedUntil,
        responseStatus: null,
      })
      .orIgnore()
      .execute();
    const row = await this.keys.findOneByOrFail({ id });
    if (row.owner === owner) return { kind: 'proceed', id, owner };
    if (row.requestHash !== hash) {
      throw new UnprocessableEntityException({
        message: 'this Idempotency-Key was used with another request body',
        code: 'idempotency-key-reused',
      });
    }
    if (row.status === 'completed')
      return { kind: 'replay', status: row.responseStatus ?? 200, body: row.responseBody };
    if (row.lockedUntil.getTime() < now.getTime()) {
      // The request holding the key died: take it over, unless another retry just did.
      const taken = await this.keys.update(
        { id, owner: row.owner, status: 'in-progress', lockedUntil: LessThan(now) },
        { owner, lockedUntil },
      );
      if (taken.affected === 1) return { kind: 'proceed', id, owner };
    }
    throw new ConflictException({
      message: 'a request with this Idempotency-Key is still being processed; retry later',
      code: 'idempotency-key-in-use',
    });
  }

  /**
   * Stores the answer, in the transaction that made it, so that a retry never sees the work
   * without it. Throws (rolling the transaction back) if the key is no longer this request's.
   */
  async complete(
    manager: EntityManager,
    claim: { id: string; owner: string },
    status: number,
    body: unknown,
  ): Promise<void> {
    const stored = await manager.update(
      IdempotencyKey,
      { id: claim.id, owner: claim.owner },
      { status: 'completed', responseStatus: status, responseBody: body as object },
    );
    // The lock ran out and a retry took the key over: this request's work must not stand too.
    if (stored.affected !== 1) {
      throw new ConflictException({
        message: 'this request took longer than its Idempotency-Key lock; retry it',
        code: 'idempotency-key-in-use',
      });
    }
  }

  /** Gives the key up after a refusal or failure: nothing was done under it. */
  async release(claim: { id: string; owner: string }): Promise<void> {
    await this.keys.delete({ id: claim.id, owner: claim.owner, status: 'in-progress' });
  }
}
