// Slows password guessing: after 10 failures for one email within 15 minutes, that email waits.
import { AppError } from '../domain/errors.js';

const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number) {}

  check(email: string): void {
    const entry = this.failures.get(email.toLowerCase());
    if (entry && this.now() - entry.since < WINDOW_MS && entry.count >= MAX_FAILURES) {
      throw new AppError('RATE_LIMITED', 'too many failed password attempts; wait 15 minutes or ask an admin to reset the password');
    }
  }

  failed(email: string): void {
    const key = email.toLowerCase();
    const entry = this.failures.get(key);
    if (!entry || this.now() - entry.since >= WINDOW_MS) this.failures.set(key, { count: 1, since: this.now() });
    else entry.count += 1;
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  succeeded(email: string): void {
    this.failures.delete(email.toLowerCase());
  }
}
