/** An import source's name, as configured under `importFlow.sources` and named by a request. */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9-]*$/;
