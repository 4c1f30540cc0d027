import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../../../../../platform/config/index.js';
import {
  type ImportFlowConfig,
  importFlowConfig,
  type ImportSourceConfig,
} from '../../../import.config.js';
import { HttpSourceReader } from './http-source.reader.js';
import { ExtractionError, type SourceReader } from './source-reader.js';
import { SqlSourceReader } from './sql-source.reader.js';

/**
 * The readers of the configured sources. A SQL source on another database connects on first
 * use, with the URL from the environment variable its configuration names (never from a file).
 */
@Injectable()
export class SourceReaders implements OnApplicationShutdown {
  private readonly connections = new Map<string, Promise<DataSource>>();

  constructor(
    @InjectConfig(importFlowConfig) private readonly flow: ImportFlowConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  names(): string[] {
    return Object.keys(this.flow.sources);
  }

  source(name: string): ImportSourceConfig | undefined {
    return Object.hasOwn(this.flow.sources, name) ? this.flow.sources[name] : undefined;
  }

  async reader(name: string): Promise<SourceReader> {
    const source = this.source(name);
    if (!source)
      throw new ExtractionError(`no source named '${name}' is configured`, 'source-unknown');
    if (source.type === 'http') {
      const token = source.tokenEnv ? process.env[source.tokenEnv] : undefined;
      return new HttpSourceReader({
        url: source.url,
        keyField: source.keyField ?? 'id',
        itemsField: source.itemsField ?? 'items',
        nextCursorField: source.nextCursorField ?? 'nextCursor',
        cursorParam: source.cursorParam ?? 'cursor',
        limitParam: source.limitParam ?? 'limit',
        token,
        timeoutMs: source.timeoutMs ?? 30_000,
      });
    }
    const dataSource =
      source.connection === 'default'
        ? this.dataSource
        : await this.connect(source.connection.urlEnv);
    return new SqlSourceReader(dataSource, source.query, source.keyColumn);
  }

  private connect(urlEnv: string): Promise<DataSource> {
    let connection = this.connections.get(urlEnv);
    if (!connection) {
      const url = process.env[urlEnv];
      if (!url || !/^(mysql|mariadb):\/\//.test(url)) {
        return Promise.reject(
          new ExtractionError(
            `environment variable ${urlEnv} must hold the source's mysql:// URL`,
            'source-connection-missing',
          ),
        );
      }
      connection = new DataSource({
        type: 'mysql',
        url,
        charset: 'utf8mb4',
        timezone: 'Z',
        extra: { connectionLimit: 4 },
      })
        .initialize()
        .catch((error: unknown) => {
          this.connections.delete(urlEnv);
          throw new ExtractionError(
            `cannot connect to the source database: ${(error as Error).message}`,
            'source-unavailable',
          );
        });
      this.connections.set(urlEnv, connection);
    }
    return connection;
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = [...this.connections.values()];
    this.connections.clear();
    // A connection that never opened (its failure was the extraction's) has nothing to close.
    await Promise.all(connections.map(async (c) => (await c.catch(() => null))?.destroy()));
  }
}
