// Request-schema pieces more than one resource uses.
import { z } from 'zod';

/** A short label on a conversation or a customer: letters (Thai with its marks), digits, _ and -. */
export const Tag = z.string().regex(/^[\p{L}\p{M}\p{N}_-]{1,32}$/u, 'tags are 1-32 letters, digits, _ and -');
