import type { PageDef } from '../../pages';

/** Administration: policies, settings, telephony, users and roles, jobs, protection, audit. */
export const adminPages: PageDef[] = [];
