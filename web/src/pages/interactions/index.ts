import './interactions.css';
import type { PageDef } from '../../pages';
import { InteractionDetailPage } from './detail-page';
import { MyRecordingsPage } from './my-recordings-page';
import { InteractionsPage } from './search-page';

/** Finding and playing interactions: search, detail, my recordings. */
export const interactionPages: PageDef[] = [
  {
    path: '/interactions',
    title: 'Interactions',
    nav: { section: 'Recordings', label: 'Interactions' },
    // Everyone signed in as a user finds the conversations they took part in; the search permission widens it to all.
    allowed: (me) => me.kind === 'user' || me.permissions.includes('analytics:conversationDetail:view'),
    component: InteractionsPage,
  },
  {
    path: '/interactions/:conversationId',
    title: 'Interaction',
    allowed: () => true,
    component: InteractionDetailPage,
  },
  {
    path: '/my-recordings',
    title: 'My recordings',
    nav: { section: 'Recordings', label: 'My recordings' },
    allowed: (me) => me.kind === 'user',
    component: MyRecordingsPage,
  },
];
