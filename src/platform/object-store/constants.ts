/** Injection token of the Object Store's settings (`objectStore`), given to `ObjectStoreModule.forRoot`. */
export const OBJECT_STORE_OPTIONS = Symbol('OBJECT_STORE_OPTIONS');
