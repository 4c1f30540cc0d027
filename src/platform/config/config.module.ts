import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigFragment } from './config-fragment.js';
import { getPath, type Json } from './json-tree.js';

/**
 * Provides the validated settings of each fragment under its own token, for the integrations
 * and pipelines that inject them ({@link InjectConfig}). Platform modules take theirs as
 * `forRoot` options instead: nobody is handed the whole configuration.
 */
@Module({})
export class ConfigModule {
  static forRoot(config: object, fragments: readonly ConfigFragment<unknown>[]): DynamicModule {
    const providers = fragments.map((fragment) => ({
      provide: fragment.token,
      useValue: getPath(config as Json, fragment.path),
    }));
    return {
      module: ConfigModule,
      global: true,
      providers,
      exports: providers.map((provider) => provider.provide),
    };
  }
}
