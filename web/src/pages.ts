import type { ComponentType } from 'react';
import type { Me } from './session';

/**
 * A page of the app: where it lives, whether it appears in the navigation, and who may open it.
 * Each area lists its pages in its own module (pages/*\/index.ts); the shell joins them.
 */
export interface PageDef {
  /** Path pattern, e.g. `/interactions/:conversationId`. */
  readonly path: string;
  readonly title: string;
  /** Shown in the navigation under this section when set. */
  readonly nav?: { readonly section: 'Recordings' | 'Administration'; readonly label: string };
  /** Whether the signed-in user may open the page (hidden from the navigation otherwise). */
  readonly allowed: (me: Me) => boolean;
  readonly component: ComponentType<{ params: Record<string, string> }>;
}
