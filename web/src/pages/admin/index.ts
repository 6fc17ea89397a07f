import type { PageDef } from '../../pages';
import { can, type Me } from '../../session';
import './admin.css';
import { AuditPage } from './audit';
import { JobsPage } from './jobs';
import { PoliciesPage } from './policies';
import { PolicyEditorPage } from './policy-editor';
import { ProtectionPage } from './protection';
import { RolesPage } from './roles';
import { SETTINGS_PERMISSIONS, SettingsPage } from './settings';
import { TelephonyPage } from './telephony';
import { UsersPage } from './users';

const admin = (label: string) => ({ section: 'Administration' as const, label });
const holding =
  (...anyOf: string[]) =>
  (me: Me) =>
    can(me, ...anyOf);

/** Administration: policies, settings, telephony, users and roles, jobs, protection, audit. */
export const adminPages: PageDef[] = [
  { path: '/admin/policies', title: 'Retention policies', nav: admin('Retention policies'), allowed: holding('recording:retentionPolicy:view'), component: PoliciesPage },
  { path: '/admin/policies/new', title: 'New retention policy', allowed: holding('recording:retentionPolicy:add'), component: PolicyEditorPage },
  { path: '/admin/policies/:policyId', title: 'Retention policy', allowed: holding('recording:retentionPolicy:view'), component: PolicyEditorPage },
  { path: '/admin/settings', title: 'Recording settings', nav: admin('Recording settings'), allowed: holding(...SETTINGS_PERMISSIONS), component: SettingsPage },
  { path: '/admin/telephony', title: 'Telephony', nav: admin('Telephony'), allowed: holding('telephony:config:view'), component: TelephonyPage },
  { path: '/admin/users', title: 'Users', nav: admin('Users'), allowed: holding('directory:user:view'), component: UsersPage },
  { path: '/admin/roles', title: 'Roles', nav: admin('Roles'), allowed: holding('authorization:role:view'), component: RolesPage },
  { path: '/admin/jobs', title: 'Bulk jobs', nav: admin('Bulk jobs'), allowed: holding('recording:job:view'), component: JobsPage },
  {
    path: '/admin/protection',
    title: 'Protection from deletion',
    nav: admin('Protection'),
    allowed: holding('recording:deletionProtection:apply', 'recording:deletionProtection:revoke', 'recording:recording:view'),
    component: ProtectionPage,
  },
  { path: '/admin/audit', title: 'Audit log', nav: admin('Audit log'), allowed: holding('audit:audit:view'), component: AuditPage },
];
