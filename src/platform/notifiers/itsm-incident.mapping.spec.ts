import { describe, expect, it } from 'vitest';
import { settingsOf } from '../config/index.js';
import { notifiersConfig } from './notifiers.config.js';
import { incidentBody, ticketIdOf } from './itsm-incident.mapping.js';
import type { Incident } from './itsm.notifier.js';

// The shipped defaults: they are what ServiceNow gets.
const defaults = settingsOf(notifiersConfig).itsm;

const incident: Incident = {
  shortDescription: 'extract failed',
  description: 'The source database refused the connection.',
  severity: 'medium',
  correlationId: 'c-1',
  source: 'extract',
};

describe('incidentBody', () => {
  it('maps onto ServiceNow fields by default, severity through the urgency values', () => {
    expect(incidentBody(incident, defaults)).toEqual({
      short_description: 'extract failed',
      description: 'The source database refused the connection.',
      urgency: '2',
      correlation_id: 'c-1',
      u_source: 'extract',
    });
  });

  it.each([
    ['critical', '1'],
    ['high', '1'],
    ['medium', '2'],
    ['low', '3'],
  ] as const)('maps severity %s to urgency %s', (severity, urgency) => {
    expect(incidentBody({ ...incident, severity }, defaults).urgency).toBe(urgency);
  });

  it('puts details as JSON text in the configured field, and leaves out empty details', () => {
    const body = incidentBody({ ...incident, details: { record: 7, reason: 'timeout' } }, defaults);
    expect(JSON.parse(body.work_notes as string)).toEqual({ record: 7, reason: 'timeout' });
    expect(incidentBody({ ...incident, details: {} }, defaults)).not.toHaveProperty('work_notes');
  });

  it('follows a custom mapping: renamed fields, fields left out, static fields under mapped ones', () => {
    const body = incidentBody(
      { ...incident, category: 'etl', details: { a: 1 } },
      {
        fieldMapping: {
          ...defaults.fieldMapping,
          severity: 'priority',
          source: null,
          details: 'comments',
        },
        severityValues: { low: 4, medium: 3, high: 2, critical: 1 },
        staticFields: { assignment_group: 'integration-team', priority: 9, impact: 2 },
      },
    );
    expect(body).toEqual({
      assignment_group: 'integration-team',
      impact: 2,
      priority: 3,
      short_description: 'extract failed',
      description: 'The source database refused the connection.',
      category: 'etl',
      correlation_id: 'c-1',
      comments: JSON.stringify({ a: 1 }, null, 2),
    });
  });
});

describe('ticketIdOf', () => {
  it('reads the number, else the sys_id', () => {
    expect(ticketIdOf({ result: { number: 'INC0010001', sys_id: 'abc' } }, defaults)).toBe(
      'INC0010001',
    );
    expect(ticketIdOf({ result: { number: '', sys_id: 'abc' } }, defaults)).toBe('abc');
    expect(ticketIdOf({ result: { sys_id: 'abc' } }, defaults)).toBe('abc');
  });

  it('reads a custom path and accepts a numeric id', () => {
    expect(ticketIdOf({ data: { id: 4711 } }, { ticketIdPath: 'data.id' })).toBe('4711');
  });

  it('finds nothing in a reply without the id, or that is not JSON', () => {
    expect(ticketIdOf({ result: { number: null } }, defaults)).toBeUndefined();
    expect(ticketIdOf({ result: 'INC1' }, defaults)).toBeUndefined();
    expect(ticketIdOf(undefined, defaults)).toBeUndefined();
    expect(
      ticketIdOf({ result: { number: { value: 'x' } } }, { ticketIdPath: 'result.number' }),
    ).toBeUndefined();
  });
});
