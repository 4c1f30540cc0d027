import { Controller } from '@nestjs/common';

/**
 * Marks a class whose methods are event triggers (`@EventTrigger`, `@EventBatchTrigger`): list
 * it in its module's `controllers`, where Nest finds event handlers. It serves no HTTP route,
 * so it is mapped on no path, and Nest does not log it at start as it logs an HTTP controller
 * (`StoreReceiptTrigger {/api}`).
 */
export const Triggers = (): ClassDecorator => Controller([]);
