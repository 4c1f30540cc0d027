/**
 * The HTTP surface: problem details, validation, correlation ids, rate limits, request limits,
 * the gateway in front, and the OpenAPI document.
 */
export { ApiProblemResponse } from './api-problem-response.decorator.js';
export {
  CORRELATION_HEADERS,
  correlationHeaders,
  correlationIdMiddleware,
} from './correlation-id.middleware.js';
export { publicBaseMiddleware, publicUrl } from './gateway/public-base.js';
export { type HttpConfig, httpConfig } from './http.config.js';
export { buildOpenApiDocument, serveApiDocs, withServer } from './openapi.js';
export { ProblemDetailsFilter } from './problem-details.filter.js';
export { UnmatchedPaths } from './not-found.js';
export { type FieldError, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details.js';
export { problemExample, ProblemDetailsView } from './problem-details.view.js';
export { RateLimitModule } from './rate-limit.module.js';
export { useRequestLimits } from './request-limits/request-limits.js';
export { ShutdownGate } from './shutdown-gate.js';
export { PageQuery } from './page-query.dto.js';
export { createValidationPipe } from './validation.pipe.js';
