import type { NotifiersConfig } from './notifiers.config.js';
import type { Incident } from './itsm.notifier.js';

type ItsmConfig = NotifiersConfig['itsm'];
export type ItsmMapping = Pick<ItsmConfig, 'fieldMapping' | 'severityValues' | 'staticFields'>;

/**
 * The request body for the ITSM tool: the static fields, then each incident field under the
 * name the mapping gives it (a null name leaves it out), severity through the value map and
 * `details` as indented JSON text, which every ticket field can hold.
 */
export function incidentBody(incident: Incident, mapping: ItsmMapping): Record<string, unknown> {
  const body: Record<string, unknown> = { ...mapping.staticFields };
  const fields = mapping.fieldMapping;
  const put = (field: string | null, value: unknown) => {
    if (field !== null && value !== undefined) body[field] = value;
  };
  put(fields.shortDescription, incident.shortDescription);
  put(fields.description, incident.description);
  put(fields.severity, mapping.severityValues[incident.severity]);
  put(fields.category, incident.category);
  put(fields.correlationId, incident.correlationId);
  put(fields.source, incident.source);
  if (incident.details && Object.keys(incident.details).length > 0) {
    put(fields.details, JSON.stringify(incident.details, null, 2));
  }
  return body;
}

/**
 * The ticket id in the tool's JSON reply, at `ticketIdPath` or else at `ticketIdFallbackPath`
 * (ServiceNow: `result.number`, else `result.sys_id`); undefined when neither holds one.
 */
export function ticketIdOf(
  reply: unknown,
  paths: Pick<ItsmConfig, 'ticketIdPath' | 'ticketIdFallbackPath'>,
): string | undefined {
  for (const path of [paths.ticketIdPath, paths.ticketIdFallbackPath]) {
    if (path === undefined) continue;
    let node: unknown = reply;
    for (const key of path.split('.')) {
      node =
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined;
    }
    if ((typeof node === 'string' && node.trim() !== '') || typeof node === 'number')
      return String(node);
  }
  return undefined;
}
