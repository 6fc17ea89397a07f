import type { PageDef } from '../../pages';

/** Finding and playing interactions: search, detail, my recordings. */
export const interactionPages: PageDef[] = [];
