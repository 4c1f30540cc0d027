import { loadScript } from '../../../redis/index.js';

/** The transport's scripts, read once at module load; each file's header says what it takes. */
const script = (file: string) => loadScript(new URL(`./scripts/${file}`, import.meta.url));

/** Publishing: the envelopes of one stream, appended in order (the publisher's connection). */
export const APPEND_ENVELOPES = script('append-envelopes.lua');

/** A dead letter back on its stream, once (the publisher's connection). */
export const REPLAY_DEAD_LETTER = script('replay-dead-letter.lua');

/** Dead-lettering a pending delivery, all or nothing (the consumers' command connection). */
export const DEAD_LETTER = script('dead-letter.lua');
