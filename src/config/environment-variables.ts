/**
 * The environment variables operators set, each mapped onto a configuration key.
 * They override the files in `config/`.
 */
export interface EnvironmentVariable {
  name: string;
  path: string[];
  parse: 'string' | 'integer' | 'boolean' | 'list' | 'pipelines';
  /**
   * A secret is refused in a configuration file: `value`, always; `url-credentials`, when
   * the URL carries a user or password.
   */
  secret?: 'value' | 'url-credentials';
}

export const environmentVariables: EnvironmentVariable[] = [
  { name: 'PORT', path: ['http', 'port'], parse: 'integer' },
  { name: 'TRUSTED_PROXIES', path: ['http', 'trustedProxies'], parse: 'list' },
  { name: 'PUBLIC_BASE_URL', path: ['http', 'publicBaseUrl'], parse: 'string' },
  {
    name: 'FORWARDED_ALLOWED_HOSTS',
    path: ['http', 'forwarded', 'allowedHosts'],
    parse: 'list',
  },
  { name: 'DATABASE_URL', path: ['database', 'url'], parse: 'string' },
  { name: 'SQLITE_PATH', path: ['database', 'sqlitePath'], parse: 'string' },
  { name: 'DATABASE_MIGRATE_ON_START', path: ['database', 'migrateOnStart'], parse: 'boolean' },
  { name: 'REDIS_URL', path: ['bus', 'redisUrl'], parse: 'string' },
  { name: 'BUS_KEY_PREFIX', path: ['bus', 'keyPrefix'], parse: 'string' },
  { name: 'BUS_CLAIM_IDLE_MS', path: ['bus', 'claimIdleMs'], parse: 'integer' },
  { name: 'BUS_OUTAGE_ALERT_AFTER_MS', path: ['bus', 'outageAlertAfterMs'], parse: 'integer' },
  { name: 'PIPELINES', path: ['pipelines'], parse: 'pipelines' },
  { name: 'SHUTDOWN_TIMEOUT_MS', path: ['shutdown', 'timeoutMs'], parse: 'integer' },
  {
    name: 'OBJECT_STORE_DONE_RETENTION_MS',
    path: ['objectStore', 'doneRetentionMs'],
    parse: 'integer',
  },
  { name: 'AUTH_JWT_SECRET', path: ['auth', 'jwt', 'secret'], parse: 'string', secret: 'value' },
  { name: 'AUTH_JWT_PUBLIC_KEY', path: ['auth', 'jwt', 'publicKey'], parse: 'string' },
  { name: 'AUTH_JWKS_URL', path: ['auth', 'jwt', 'jwksUrl'], parse: 'string' },
  { name: 'AUTH_JWT_ISSUER', path: ['auth', 'jwt', 'issuer'], parse: 'string' },
  { name: 'AUTH_JWT_AUDIENCE', path: ['auth', 'jwt', 'audience'], parse: 'string' },
  { name: 'CORS_ORIGINS', path: ['http', 'cors', 'origins'], parse: 'list' },
  { name: 'LOG_LEVEL', path: ['log', 'level'], parse: 'string' },
  {
    name: 'NOTIFICATION_SERVICE_URL',
    path: ['purchaseFlow', 'notificationService', 'url'],
    parse: 'string',
  },
  {
    name: 'IDEMPOTENCY_RETENTION_MS',
    path: ['purchaseFlow', 'idempotencyRetentionMs'],
    parse: 'integer',
  },
  {
    name: 'PURCHASE_PUBLISH_TIMEOUT_MS',
    path: ['purchaseFlow', 'publishTimeoutMs'],
    parse: 'integer',
  },
  {
    name: 'PURCHASE_OUTBOX_GRACE_MS',
    path: ['purchaseFlow', 'outbox', 'graceMs'],
    parse: 'integer',
  },
  { name: 'SUPPORT_EMAIL', path: ['errorTreatment', 'supportEmail'], parse: 'string' },
  {
    name: 'IMPORT_EXTRACT_MAX_BACKLOG',
    path: ['importFlow', 'extract', 'maxBacklog'],
    parse: 'integer',
  },
  { name: 'IMPORT_TARGET_URL', path: ['importFlow', 'target', 'httpUrl'], parse: 'string' },
  {
    name: 'IMPORT_TARGET_HTTP_BATCH_SIZE',
    path: ['importFlow', 'target', 'httpBatchSize'],
    parse: 'integer',
  },
  {
    name: 'IMPORT_SUPPORT_EMAIL',
    path: ['importFlow', 'errorHandling', 'supportEmail'],
    parse: 'string',
  },
  {
    name: 'SMTP_URL',
    path: ['notifiers', 'email', 'smtpUrl'],
    parse: 'string',
    secret: 'url-credentials',
  },
  { name: 'EMAIL_FROM', path: ['notifiers', 'email', 'from'], parse: 'string' },
  { name: 'ITSM_URL', path: ['notifiers', 'itsm', 'url'], parse: 'string' },
  { name: 'ITSM_USERNAME', path: ['notifiers', 'itsm', 'username'], parse: 'string' },
  {
    name: 'ITSM_PASSWORD',
    path: ['notifiers', 'itsm', 'password'],
    parse: 'string',
    secret: 'value',
  },
  { name: 'ITSM_TOKEN', path: ['notifiers', 'itsm', 'token'], parse: 'string', secret: 'value' },
];
