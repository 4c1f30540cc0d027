import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';
import { ProblemDetailsDto } from './problem-details.dto.js';

/** Documents an error answer of a route as problem details, with an example `code`. */
export const ApiProblemResponse = (status: number, description: string, code?: string) =>
  ApiResponse({
    status,
    description,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: getSchemaPath(ProblemDetailsDto) },
        example: { type: 'about:blank', status, ...(code ? { code } : {}), detail: description },
      },
    },
  });
