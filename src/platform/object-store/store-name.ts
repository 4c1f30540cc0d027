/** An Object Store's name: lower-case words joined by dots or dashes (`import-records`). */
export const STORE_NAME = /^[a-z0-9]+([.-][a-z0-9]+)*$/;
