import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ErrorAlertWindow } from './error-alert-window.entity.js';

/** Whether an error raises an alert, and what that alert reports. */
export type AlertDecision =
  | {
      alert: true;
      /** This error plus the alike errors held back since the previous alert. */
      count: number;
      /** When the previous alert of this fingerprint went out, if ever. */
      previousAlertAt: Date | null;
    }
  | {
      alert: false;
      /** The record whose alert covers this error. */
      alertRecordId: string;
    };

/**
 * One alert per error fingerprint per window. The first error of a fingerprint alerts and
 * opens a window of `windowMs`; alike errors inside it are counted, not alerted; the first
 * one after it alerts again and reports that count. Every step is a single conditional
 * statement, so concurrent error-treatment handlers (or replicas) raise one alert, not many.
 */
@Injectable()
export class AlertThrottle {
  constructor(
    @InjectRepository(ErrorAlertWindow) private readonly windows: Repository<ErrorAlertWindow>,
  ) {}

  async decide(
    fingerprint: string,
    recordId: string,
    windowMs: number,
    now = new Date(),
  ): Promise<AlertDecision> {
    for (;;) {
      const current = await this.windows.findOneBy({ fingerprint });
      if (!current) {
        await this.windows
          .createQueryBuilder()
          .insert()
          .into(ErrorAlertWindow)
          .values({
            fingerprint,
            alertedAt: now,
            alertRecordId: recordId,
            suppressed: 0,
            version: 0,
          })
          .orIgnore()
          .execute();
        // Of two first errors at once, the insert of one is ignored: it reads the winner's row next turn.
        if ((await this.windows.findOneBy({ fingerprint }))?.alertRecordId === recordId) {
          return { alert: true, count: 1, previousAlertAt: null };
        }
        continue;
      }
      if (current.alertRecordId === recordId) {
        // A redelivery of the error that opened this window: it still owns the alert.
        return { alert: true, count: 1 + current.suppressed, previousAlertAt: null };
      }
      if (current.alertedAt.getTime() > now.getTime() - windowMs) {
        await this.windows.increment({ fingerprint }, 'suppressed', 1);
        return { alert: false, alertRecordId: current.alertRecordId };
      }
      const opened = await this.windows.update(
        { fingerprint, version: current.version },
        { alertedAt: now, alertRecordId: recordId, suppressed: 0, version: current.version + 1 },
      );
      if (opened.affected === 1) {
        return { alert: true, count: 1 + current.suppressed, previousAlertAt: current.alertedAt };
      }
      // Another handler opened the window first: this error now falls inside it.
    }
  }
}
