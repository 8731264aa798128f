// What every page receives.
import type { Session } from '../session.ts';

export interface PageProps {
  session: Session;
}
