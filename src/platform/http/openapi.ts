import { STATUS_CODES } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_ROUTE_EXTENSION, ROLES_EXTENSION } from '../auth/constants.js';
import type { Request } from 'express';
import { publicUrl } from './gateway/public-base.js';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';
import { ProblemDetailsDto } from './problem-details.dto.js';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponsesObject = OperationObject['responses'];
type ResponseObject = { description: string; content?: Record<string, unknown> };
type MediaTypeObject = { schema?: unknown; example?: unknown };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * The OpenAPI document of the app, ready for the gateway to import: every operation names
 * its auth (bearer JWT or API key, none for public routes), the roles it needs, and the
 * problem-details responses it can give, whichever module declared it.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tributary')
      .setDescription(
        'Event-driven integration backend: pipelines that publish and subscribe to events. ' +
          'Errors are RFC 9457 problem details (application/problem+json).',
      )
      .setVersion('1')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'HS256 or RS256 JWT with a roles claim',
        },
        BEARER_SCHEME,
      )
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'API key of a machine client',
        },
        API_KEY_SCHEME,
      )
      .build(),
    { extraModels: [ProblemDetailsDto] },
  );
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (operation) finishOperation(operation);
    }
  }
  return document;
}

/** The document as served from `url`: the one server every call of Swagger UI goes to. */
export function withServer(document: OpenAPIObject, url: string): OpenAPIObject {
  return { ...document, servers: [{ url }] };
}

/**
 * Swagger UI at `/docs` and the document at `/docs-json`, both built for each request's public
 * base (`http.publicBaseUrl`, or the trusted gateway's forwarded prefix, host and scheme), so
 * that "Try it out" calls the app through the gateway. The page keeps the authorization across
 * reloads and links to each operation.
 */
export function serveApiDocs(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Tributary API',
    swaggerOptions: { persistAuthorization: true, deepLinking: true },
    patchDocumentOnRequest: <TRequest>(req: TRequest, _res: unknown, built: OpenAPIObject) =>
      withServer(built, publicUrl(req as Request, '') || '/'),
  });
}

function finishOperation(operation: OperationObject): void {
  const extensions = operation as OperationObject & Record<string, unknown>;
  const isPublic = extensions[PUBLIC_ROUTE_EXTENSION] === true;
  delete extensions[PUBLIC_ROUTE_EXTENSION];
  const responses = operation.responses;
  const hasInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined;
  if (isPublic) {
    operation.security = [];
  } else {
    operation.security = [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
    const roles = (extensions[ROLES_EXTENSION] as string[] | undefined) ?? ['integration'];
    const who = `Needs the role ${[...new Set(['admin', ...roles])].join(', ')} (admin always may).`;
    operation.description = operation.description ? `${operation.description}\n\n${who}` : who;
    extensions[ROLES_EXTENSION] = roles;
    problem(
      responses,
      401,
      'No valid credentials: missing, expired or badly signed token, unknown API key',
      'unauthenticated',
    );
    problem(responses, 403, 'Valid credentials without the role the route needs', 'forbidden');
    problem(responses, 429, 'Too many requests from this client; see Retry-After', undefined);
  }
  // OpenAPI requires a description on every response; @ApiOkResponse({ type }) leaves it empty.
  for (const [status, response] of Object.entries(responses)) {
    const described = response as { description?: string };
    if (!described.description) described.description = titleOf(Number(status));
  }
  if (hasInput)
    problem(
      responses,
      400,
      'The request is not valid; `errors` lists the fields at fault',
      'validation-failed',
    );
  if (operation.requestBody !== undefined) {
    problem(responses, 413, 'The body is larger than http.bodyLimit', 'body-too-large');
    problem(responses, 415, 'The body is not JSON', 'unsupported-media-type');
  }
  problem(responses, 500, 'Unexpected failure; the body never carries internal details', undefined);
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400) asProblem(Number(status), response as ResponseObject);
  }
}

function problem(
  responses: ResponsesObject,
  status: number,
  description: string,
  code: string | undefined,
): void {
  const key = String(status);
  const existing = responses[key] as ResponseObject | undefined;
  if (existing?.content) return;
  responses[key] = {
    description: existing?.description ?? description,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: '#/components/schemas/ProblemDetailsDto' },
        example: problemOf(status, description, code ? { code } : {}),
      },
    },
  };
}

/**
 * Every error answer is documented as the filter sends it: `application/problem+json` (not
 * the `application/json` Swagger's decorators write), with an example of its own status, so
 * that Swagger UI never shows one invented from another status's example.
 */
function asProblem(status: number, response: ResponseObject): void {
  const media = Object.values(response.content ?? {})[0] as MediaTypeObject | undefined;
  const example = media?.example as { status?: unknown } | undefined;
  const trueExample = example?.status === status ? example : undefined;
  response.content = {
    [PROBLEM_CONTENT_TYPE]: {
      schema: media?.schema ?? { $ref: '#/components/schemas/ProblemDetailsDto' },
      example: problemOf(status, response.description, trueExample ?? {}),
    },
  };
}

function problemOf(status: number, detail: string, extra: object): object {
  return { type: 'about:blank', title: titleOf(status), status, detail, ...extra };
}

function titleOf(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
