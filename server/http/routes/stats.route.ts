import { route } from '../route-kit.js';
import type { Services } from '../services.js';

export function statsRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/queues/stats',
      summary:
        'Live queue statistics, per queue and overall, over the last 30 minutes: waiting, longest wait, offered, answered, ' +
        'abandoned, service level, average speed of answer, agents by state, occupancy, Erlang C staffing. ' +
        'The supervisors room receives the same as `queue:stats` deltas; `seq` is the last delta pushed.',
      tag: 'routing',
      role: 'supervisor',
      handler: () => s.queueStats(),
    }),
  ];
}
