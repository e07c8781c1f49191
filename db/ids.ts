import { v7 } from 'uuid';

/** Time-ordered UUIDs (v7): unguessable enough for URLs, and sortable for cursor paging. */
export const newId = (): string => v7();
