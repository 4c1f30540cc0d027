import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, LessThan, Repository } from 'typeorm';
import { InjectConfig } from '../../../../../platform/config/index.js';
import { type PurchaseFlowConfig, purchaseFlowConfig } from '../../../purchase.config.js';
import { IdempotencyKey } from '../idempotency-key.entity.js';

/** The outcome of presenting a key: go ahead (holding it), or answer what the first request got. */
export type IdempotencyClaim =
  | { kind: 'proceed'; id: string; owner: string }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * A key past its retention: answered, or left by a request that died holding it. A key whose
 * lock still holds is never expired: its request may yet complete.
 */
const EXPIRED = "created_at < :cutoff AND (status = 'completed' OR locked_until < :now)";

/**
 * `Idempotency-Key` handling, after the IETF draft (draft-ietf-httpapi-idempotency-key-header):
 * the first request with a key takes it (one INSERT on the primary key, so two at once cannot
 * both win); a retry with the same body gets the stored answer; the same key with another
 * body is refused with 422; a retry while the first is still running gets 409. A request
 * that dies holding a key loses it when its lock ends. Only successful answers are stored:
 * a refusal writes nothing, so the client may retry once the cause is gone. A key lives
 * `idempotencyRetentionMs` from its first request; after that it is new again, whether the
 * purge has deleted it yet or not.
 */
@Injectable()
export class IdempotencyStore {
  private readonly lockMs: number;
  private readonly retentionMs: number;

  constructor(
    @InjectConfig(purchaseFlowConfig) settings: PurchaseFlowConfig,
    @InjectRepository(IdempotencyKey) private readonly keys: Repository<IdempotencyKey>,
  ) {
    this.lockMs = settings.idempotencyLockMs;
    this.retentionMs = settings.idempotencyRetentionMs;
  }

  async claim(scope: string, key: string, hash: string): Promise<IdempotencyClaim> {
    const id = `${scope}:${key}`;
    const owner = randomUUID();
    const now = new Date();
    const lockedUntil = new Date(now.getTime() + this.lockMs);
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
        // The application's clock, which the retention is measured by, not the database's.
        createdAt: now,
      })
      .orIgnore()
      .execute();
    const row = await this.keys.findOneBy({ id });
    if (!row || this.isExpired(row, now)) {
      // Purged since the INSERT, or past its retention and not purged yet: the key is new.
      if (row) await this.forget([id], now);
      return this.claim(scope, key, hash);
    }
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

  /**
   * Deletes up to `limit` keys past their retention, oldest first; returns how many. One
   * bounded DELETE, so that a backlog never holds its locks long: the caller repeats.
   */
  async purgeExpired(limit: number, now = new Date()): Promise<number> {
    const expired = await this.keys
      .createQueryBuilder()
      .select('id', 'id')
      .where(EXPIRED, this.expiry(now))
      .orderBy('created_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return this.forget(
      expired.map((k) => k.id),
      now,
    );
  }

  /** Deletes those of `ids` still expired: a key taken over since it was read stays. */
  private async forget(ids: string[], now: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const deleted = await this.keys
      .createQueryBuilder()
      .delete()
      .from(IdempotencyKey)
      .where('id IN (:...ids)', { ids })
      .andWhere(EXPIRED, this.expiry(now))
      .execute();
    return deleted.affected ?? 0;
  }

  /** {@link EXPIRED}, for a row in hand. */
  private isExpired(row: IdempotencyKey, now: Date): boolean {
    const { cutoff } = this.expiry(now);
    return (
      row.createdAt.getTime() < cutoff.getTime() &&
      (row.status === 'completed' || row.lockedUntil.getTime() < now.getTime())
    );
  }

  private expiry(now: Date): { cutoff: Date; now: Date } {
    return { cutoff: new Date(now.getTime() - this.retentionMs), now };
  }
}
