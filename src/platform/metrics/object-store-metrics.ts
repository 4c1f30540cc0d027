import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { Repository } from 'typeorm';
import { ObjectStoreEntry } from '../object-store/object-store-entry.entity.js';
import { MetricsRegistry } from './metrics-registry.js';

/** Object Store entries by store and status, counted in the database when Prometheus scrapes. */
@Injectable()
export class ObjectStoreMetrics {
  constructor(
    registry: MetricsRegistry,
    @InjectRepository(ObjectStoreEntry) entries: Repository<ObjectStoreEntry>,
  ) {
    new Gauge({
      name: 'tributary_object_store_entries',
      help: 'Object Store entries by store and status',
      labelNames: ['store', 'status'],
      registers: [registry],
      async collect() {
        const rows = await entries
          .createQueryBuilder('e')
          .select('e.store', 'store')
          .addSelect('e.status', 'status')
          .addSelect('COUNT(*)', 'count')
          .groupBy('e.store')
          .addGroupBy('e.status')
          .getRawMany<{ store: string; status: string; count: string | number }>();
        this.reset();
        for (const row of rows)
          this.set({ store: row.store, status: row.status }, Number(row.count));
      },
    });
  }
}
